//! The event thread: answers other programs' requests for our text
//! (directly, or in chunks with the INCR protocol) and forwards the events
//! the calling side waits for.

use super::*;

/// The event thread: serves our selection, forwards events for our window.
pub(super) struct EventLoop {
    pub(super) shared: Arc<Shared>,
    pub(super) to_reader: Sender<ReaderEvent>,
    /// Outgoing INCR transfers, by requestor window and property.
    pub(super) transfers: HashMap<(Window, Atom), IncrTransfer>,
}

/// One outgoing INCR transfer.
pub(super) struct IncrTransfer {
    pub(super) ty: Atom,
    pub(super) data: Arc<[u8]>,
    pub(super) sent: usize,
    pub(super) generation: u64,
    pub(super) last_activity: Instant,
}

/// How we answered a SelectionRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    Refused,
    /// Answered with something other than the whole text (TARGETS, or INCR started).
    Answered,
    /// The text itself was written to the requestor.
    AnsweredText,
}

/// Converted selection data, ready to be written to a property.
pub(super) enum Payload {
    Text {
        ty: Atom,
        bytes: Arc<[u8]>,
    },
    Words {
        ty: Atom,
        words: Vec<u32>,
    },
    /// A short value about the text (the password-manager hint): written
    /// like text, but fetching it is not fetching the text.
    Note {
        ty: Atom,
        bytes: &'static [u8],
    },
}

/// The value of `x-kde-passwordManagerHint` that asks clipboard managers
/// not to keep the text.
pub(super) const SECRET_HINT: &[u8] = b"secret";

impl EventLoop {
    pub(super) fn run(mut self) {
        let reason = match self.serve() {
            Ok(()) => "the clipboard was closed".to_string(),
            Err(error) => {
                tracing::warn!(%error, "clipboard event thread lost the X connection");
                error.to_string()
            }
        };
        self.shared.mark_stopped(reason);
    }

    pub(super) fn serve(&mut self) -> Result<(), ConnectionError> {
        loop {
            let (event, seq) = self.shared.conn.wait_for_event_with_sequence()?;
            self.drop_stalled_transfers();
            if self.is_stop(&event) {
                return Ok(());
            }
            self.dispatch(event, seq)?;
            self.shared.conn.flush()?;
        }
    }

    pub(super) fn is_stop(&self, event: &Event) -> bool {
        matches!(event, Event::ClientMessage(m)
            if m.window == self.shared.window && m.type_ == self.shared.atoms.GENVEJ_STOP)
    }

    pub(super) fn dispatch(
        &mut self,
        event: Event,
        seq: SequenceNumber,
    ) -> Result<(), ConnectionError> {
        match event {
            Event::SelectionRequest(request) => self.on_selection_request(&request)?,
            Event::SelectionClear(clear) => self.shared.on_selection_clear(&clear, seq),
            Event::SelectionNotify(notify) if notify.requestor == self.shared.window => {
                self.forward(ReaderEvent::SelectionNotify {
                    selection: notify.selection,
                    target: notify.target,
                    property: notify.property,
                });
            }
            Event::PropertyNotify(notify) => self.on_property_notify(&notify)?,
            Event::DestroyNotify(destroyed) => {
                self.transfers
                    .retain(|(window, _), _| *window != destroyed.window);
            }
            // Typically BadWindow for a requestor that went away mid-answer.
            Event::Error(error) => tracing::debug!(
                kind = ?error.error_kind,
                major = error.major_opcode,
                "X error while serving the clipboard"
            ),
            _ => {}
        }
        Ok(())
    }

    pub(super) fn forward(&self, event: ReaderEvent) {
        // Fails only while the clipboard is being dropped; nobody waits then.
        let _ = self.to_reader.send(event);
    }

    pub(super) fn on_property_notify(
        &mut self,
        notify: &PropertyNotifyEvent,
    ) -> Result<(), ConnectionError> {
        if notify.window == self.shared.window {
            if notify.state == Property::NEW_VALUE {
                self.forward(ReaderEvent::PropertyNewValue {
                    atom: notify.atom,
                    time: notify.time,
                });
            }
            return Ok(());
        }
        if notify.state == Property::DELETE {
            self.continue_incr(notify.window, notify.atom)?;
        }
        Ok(())
    }

    pub(super) fn on_selection_request(
        &mut self,
        request: &SelectionRequestEvent,
    ) -> Result<(), ConnectionError> {
        // Obsolete clients send property None: use the target as the property.
        let property = if request.property == NONE {
            request.target
        } else {
            request.property
        };
        let Some(owned) = self.shared.owned_for(request) else {
            return self.notify_requestor(request, NONE);
        };
        let answer = if request.target == self.shared.atoms.MULTIPLE {
            self.answer_multiple(request.requestor, property, &owned)?
        } else {
            self.answer_target(request.requestor, request.target, property, &owned)?
        };
        let reply_property = if answer == Answer::Refused {
            NONE
        } else {
            property
        };
        self.notify_requestor(request, reply_property)?;
        if answer == Answer::AnsweredText {
            self.shared.conn.flush()?;
            self.shared.mark_served(owned.generation);
        }
        Ok(())
    }

    pub(super) fn answer_target(
        &mut self,
        requestor: Window,
        target: Atom,
        property: Atom,
        owned: &Owned,
    ) -> Result<Answer, ConnectionError> {
        let Some(payload) = convert(&self.shared.atoms, owned, target) else {
            return Ok(Answer::Refused);
        };
        match payload {
            Payload::Text { ty, bytes } if bytes.len() > self.shared.max_direct => {
                self.start_incr(requestor, property, ty, bytes, owned.generation)?;
                Ok(Answer::Answered)
            }
            payload => self.write_payload(requestor, property, payload),
        }
    }

    /// Writes a payload that fits in one request.
    pub(super) fn write_payload(
        &self,
        requestor: Window,
        property: Atom,
        payload: Payload,
    ) -> Result<Answer, ConnectionError> {
        let conn = &self.shared.conn;
        match payload {
            Payload::Text { ty, bytes } => {
                conn.change_property8(PropMode::REPLACE, requestor, property, ty, &bytes)?;
                Ok(Answer::AnsweredText)
            }
            Payload::Words { ty, words } => {
                conn.change_property32(PropMode::REPLACE, requestor, property, ty, &words)?;
                Ok(Answer::Answered)
            }
            Payload::Note { ty, bytes } => {
                conn.change_property8(PropMode::REPLACE, requestor, property, ty, bytes)?;
                Ok(Answer::Answered)
            }
        }
    }

    /// MULTIPLE: the requestor's property lists (target, property) pairs; we
    /// convert each one without INCR and mark failures with None (ICCCM §2.6.2).
    pub(super) fn answer_multiple(
        &mut self,
        requestor: Window,
        property: Atom,
        owned: &Owned,
    ) -> Result<Answer, ConnectionError> {
        let atoms = self.shared.atoms;
        let reply = self
            .shared
            .conn
            .get_property(
                false,
                requestor,
                property,
                AtomEnum::ANY,
                0,
                GET_PROPERTY_WORDS,
            )?
            .reply();
        let mut pairs: Vec<u32> = match reply {
            Ok(reply) => match reply.value32() {
                Some(values) => values.collect(),
                None => return Ok(Answer::Refused),
            },
            Err(ReplyError::X11Error(_)) => return Ok(Answer::Refused),
            Err(ReplyError::ConnectionError(error)) => return Err(error),
        };
        let mut answer = Answer::Answered;
        for pair in pairs.chunks_exact_mut(2) {
            let [target, target_property] = pair else {
                continue;
            };
            let payload = self.convert_single(owned, *target);
            match payload {
                Some(payload) if *target_property != NONE => {
                    if self.write_payload(requestor, *target_property, payload)?
                        == Answer::AnsweredText
                    {
                        answer = Answer::AnsweredText;
                    }
                }
                _ => *target = NONE,
            }
        }
        self.shared.conn.change_property32(
            PropMode::REPLACE,
            requestor,
            property,
            atoms.ATOM_PAIR,
            &pairs,
        )?;
        Ok(answer)
    }

    /// A conversion that fits in one request (no INCR, no nested MULTIPLE).
    pub(super) fn convert_single(&self, owned: &Owned, target: Atom) -> Option<Payload> {
        if target == self.shared.atoms.MULTIPLE {
            return None;
        }
        convert(&self.shared.atoms, owned, target).filter(|payload| match payload {
            Payload::Text { bytes, .. } => bytes.len() <= self.shared.max_direct,
            Payload::Words { .. } | Payload::Note { .. } => true,
        })
    }

    pub(super) fn notify_requestor(
        &self,
        request: &SelectionRequestEvent,
        property: Atom,
    ) -> Result<(), ConnectionError> {
        let notify = SelectionNotifyEvent {
            response_type: SELECTION_NOTIFY_EVENT,
            sequence: 0,
            time: request.time,
            requestor: request.requestor,
            selection: request.selection,
            target: request.target,
            property,
        };
        self.shared
            .conn
            .send_event(false, request.requestor, EventMask::NO_EVENT, notify)?;
        Ok(())
    }

    /// Starts INCR: watch the requestor's properties, then write the INCR
    /// marker; each time the requestor deletes the property we send a chunk.
    pub(super) fn start_incr(
        &mut self,
        requestor: Window,
        property: Atom,
        ty: Atom,
        data: Arc<[u8]>,
        generation: u64,
    ) -> Result<(), ConnectionError> {
        let conn = &self.shared.conn;
        let watch = EventMask::PROPERTY_CHANGE | EventMask::STRUCTURE_NOTIFY;
        conn.change_window_attributes(
            requestor,
            &ChangeWindowAttributesAux::new().event_mask(watch),
        )?;
        let size_hint = u32::try_from(data.len()).unwrap_or(u32::MAX);
        conn.change_property32(
            PropMode::REPLACE,
            requestor,
            property,
            self.shared.atoms.INCR,
            &[size_hint],
        )?;
        tracing::debug!(bytes = data.len(), "starting an INCR transfer");
        let transfer = IncrTransfer {
            ty,
            data,
            sent: 0,
            generation,
            last_activity: Instant::now(),
        };
        self.transfers.insert((requestor, property), transfer);
        Ok(())
    }

    /// Sends the next INCR chunk; a zero-length chunk ends the transfer.
    pub(super) fn continue_incr(
        &mut self,
        requestor: Window,
        property: Atom,
    ) -> Result<(), ConnectionError> {
        let key = (requestor, property);
        let Some(transfer) = self.transfers.get_mut(&key) else {
            return Ok(());
        };
        let end = transfer.data.len().min(transfer.sent + INCR_CHUNK_BYTES);
        let chunk = transfer.data.get(transfer.sent..end).unwrap_or_default();
        self.shared.conn.change_property8(
            PropMode::REPLACE,
            requestor,
            property,
            transfer.ty,
            chunk,
        )?;
        transfer.sent = end;
        transfer.last_activity = Instant::now();
        if !chunk.is_empty() {
            return Ok(());
        }
        let generation = transfer.generation;
        self.transfers.remove(&key);
        tracing::debug!("INCR transfer completed");
        self.shared.conn.flush()?;
        self.shared.mark_served(generation);
        self.unwatch_if_idle(requestor)
    }

    pub(super) fn unwatch_if_idle(&self, requestor: Window) -> Result<(), ConnectionError> {
        if self
            .transfers
            .keys()
            .any(|(window, _)| *window == requestor)
        {
            return Ok(());
        }
        let aux = ChangeWindowAttributesAux::new().event_mask(EventMask::NO_EVENT);
        self.shared.conn.change_window_attributes(requestor, &aux)?;
        Ok(())
    }

    pub(super) fn drop_stalled_transfers(&mut self) {
        let before = self.transfers.len();
        self.transfers
            .retain(|_, t| t.last_activity.elapsed() < INCR_STALL_LIMIT);
        if self.transfers.len() < before {
            tracing::debug!(
                dropped = before - self.transfers.len(),
                "dropped stalled INCR transfers"
            );
        }
    }
}

/// Converts our text to `target`; `None` for targets we do not offer.
pub(super) fn convert(atoms: &Atoms, owned: &Owned, target: Atom) -> Option<Payload> {
    let utf8 = || Arc::<[u8]>::from(owned.text.as_bytes());
    let string: Atom = AtomEnum::STRING.into();
    if target == atoms.TARGETS {
        let mut targets = vec![
            atoms.TARGETS,
            atoms.TIMESTAMP,
            atoms.MULTIPLE,
            atoms.UTF8_STRING,
            atoms.TEXT_PLAIN_UTF8,
            atoms.TEXT,
        ];
        if owned.latin1.is_some() {
            targets.push(string);
        }
        if owned.sensitivity == Sensitivity::Secret {
            targets.push(atoms.PASSWORD_MANAGER_HINT);
        }
        Some(Payload::Words {
            ty: AtomEnum::ATOM.into(),
            words: targets,
        })
    } else if target == atoms.PASSWORD_MANAGER_HINT {
        (owned.sensitivity == Sensitivity::Secret).then_some(Payload::Note {
            ty: target,
            bytes: SECRET_HINT,
        })
    } else if target == atoms.TIMESTAMP {
        Some(Payload::Words {
            ty: AtomEnum::INTEGER.into(),
            words: vec![owned.time],
        })
    } else if target == atoms.UTF8_STRING || target == atoms.TEXT_PLAIN_UTF8 {
        Some(Payload::Text {
            ty: target,
            bytes: utf8(),
        })
    } else if target == string {
        // Refused rather than lossy when the text is not Latin-1: a wrong
        // character pasted into a case file is worse than no paste.
        let bytes = owned.latin1.clone()?;
        Some(Payload::Text { ty: string, bytes })
    } else if target == atoms.TEXT {
        // The owner picks the type for TEXT: STRING when possible (oldest
        // clients understand it), otherwise UTF8_STRING.
        Some(match owned.latin1.clone() {
            Some(bytes) => Payload::Text { ty: string, bytes },
            None => Payload::Text {
                ty: atoms.UTF8_STRING,
                bytes: utf8(),
            },
        })
    } else {
        None
    }
}
