//! State shared by the calling side and the event thread, and the events
//! passed between them.

use super::*;

/// Events the event thread hands to the calling side.
#[derive(Debug, Clone, Copy)]
pub(super) enum ReaderEvent {
    SelectionNotify {
        selection: Atom,
        target: Atom,
        property: Atom,
    },
    PropertyNewValue {
        atom: Atom,
        time: Timestamp,
    },
}

/// A property's value as read with GetProperty.
#[derive(Debug, Default)]
pub(super) struct PropertyData {
    pub(super) ty: Atom,
    pub(super) format: u8,
    pub(super) bytes: Vec<u8>,
}

/// State shared by the calling side and the event thread.
pub(super) struct Shared {
    pub(super) conn: RustConnection,
    pub(super) window: Window,
    pub(super) atoms: Atoms,
    /// Largest text answered with a single ChangeProperty.
    pub(super) max_direct: usize,
    pub(super) state: Mutex<State>,
    /// Signalled when `state` changes (served, ownership lost, thread stopped).
    pub(super) changed: Condvar,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) owned: Option<Owned>,
    /// Incremented by every write and clear.
    pub(super) generation: u64,
    /// Text deliveries completed for `generation`.
    pub(super) served: u32,
    /// Why the event thread ended, once it has.
    pub(super) stopped: Option<String>,
}

/// Our text while we own CLIPBOARD.
#[derive(Clone)]
pub(super) struct Owned {
    pub(super) text: Arc<str>,
    /// The text as Latin-1, if every character is representable.
    pub(super) latin1: Option<Arc<[u8]>>,
    /// Server time at which we took ownership.
    pub(super) time: Timestamp,
    /// Sequence number of our SetSelectionOwner request.
    pub(super) acquired_seq: SequenceNumber,
    pub(super) generation: u64,
    pub(super) sensitivity: Sensitivity,
}

/// Whether clipboard managers are asked not to keep our text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sensitivity {
    /// The caseworker's own clipboard, put back after a paste.
    Ordinary,
    /// Text of a paste (it may hold a citizen's data): offered with
    /// `x-kde-passwordManagerHint: secret`.
    Secret,
}

impl Shared {
    pub(super) fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn own_text(&self) -> Option<Arc<str>> {
        self.lock_state()
            .owned
            .as_ref()
            .map(|o| Arc::clone(&o.text))
    }

    /// Stores the text, then asks for ownership, so a request that arrives
    /// right after the server grants it is already answerable.
    pub(super) fn take_ownership(
        &self,
        text: &str,
        time: Timestamp,
        sensitivity: Sensitivity,
    ) -> Result<u64, ClipboardError> {
        let mut state = self.lock_state();
        state.generation += 1;
        state.served = 0;
        state.owned = None;
        let cookie = self
            .conn
            .set_selection_owner(self.window, self.atoms.CLIPBOARD, time)?;
        state.owned = Some(Owned {
            text: Arc::from(text),
            latin1: encode_latin1(text).map(Arc::from),
            time,
            acquired_seq: cookie.sequence_number(),
            generation: state.generation,
            sensitivity,
        });
        self.changed.notify_all();
        Ok(state.generation)
    }

    /// Confirms with the server that our window owns CLIPBOARD.
    pub(super) fn confirm_ownership(&self, generation: u64) -> Result<(), ClipboardError> {
        let owner = self
            .conn
            .get_selection_owner(self.atoms.CLIPBOARD)?
            .reply()?
            .owner;
        if owner == self.window {
            return Ok(());
        }
        let mut state = self.lock_state();
        if state.generation == generation {
            state.owned = None;
            self.changed.notify_all();
        }
        Err(ClipboardError::NotOwner)
    }

    /// Forgets our text; returns the acquisition time if we owned CLIPBOARD.
    pub(super) fn forget_ownership(&self) -> Option<Timestamp> {
        let mut state = self.lock_state();
        let owned = state.owned.take()?;
        state.generation += 1;
        state.served = 0;
        self.changed.notify_all();
        Some(owned.time)
    }

    /// Our text, if we own `request.selection` and the request is not older
    /// than our ownership (ICCCM).
    pub(super) fn owned_for(&self, request: &SelectionRequestEvent) -> Option<Owned> {
        if request.selection != self.atoms.CLIPBOARD || request.owner != self.window {
            return None;
        }
        let state = self.lock_state();
        let owned = state.owned.as_ref()?;
        let current = request.time == CURRENT_TIME || not_before(request.time, owned.time);
        current.then(|| owned.clone())
    }

    pub(super) fn mark_served(&self, generation: u64) {
        let mut state = self.lock_state();
        if state.generation == generation {
            state.served = state.served.saturating_add(1);
            self.changed.notify_all();
        }
    }

    /// Forgets our text when another client took CLIPBOARD, unless the event
    /// predates our latest SetSelectionOwner (then it is about an older
    /// ownership and we own the selection again).
    pub(super) fn on_selection_clear(&self, event: &SelectionClearEvent, seq: SequenceNumber) {
        if event.selection != self.atoms.CLIPBOARD || event.owner != self.window {
            return;
        }
        let mut state = self.lock_state();
        if state.owned.as_ref().is_some_and(|o| seq >= o.acquired_seq) {
            tracing::debug!("another client took CLIPBOARD; forgetting our text");
            state.owned = None;
            self.changed.notify_all();
        }
    }

    pub(super) fn mark_stopped(&self, reason: String) {
        let mut state = self.lock_state();
        state.owned = None;
        state.stopped = Some(reason);
        self.changed.notify_all();
    }

    pub(super) fn stopped_error(&self) -> ClipboardError {
        let reason = self.lock_state().stopped.clone();
        ClipboardError::EventThreadStopped(reason.unwrap_or_else(|| "unknown reason".into()))
    }

    /// Reads and deletes a property of our window, however large it is.
    pub(super) fn take_property(&self, property: Atom) -> Result<PropertyData, ClipboardError> {
        let mut data = PropertyData::default();
        let mut offset = 0;
        loop {
            // The server deletes the property only once bytes_after is 0.
            let reply = self
                .conn
                .get_property(
                    true,
                    self.window,
                    property,
                    AtomEnum::ANY,
                    offset,
                    GET_PROPERTY_WORDS,
                )?
                .reply()?;
            data.ty = reply.type_;
            data.format = reply.format;
            data.bytes.extend_from_slice(&reply.value);
            if reply.bytes_after == 0 {
                return Ok(data);
            }
            offset += GET_PROPERTY_WORDS;
        }
    }
}
