"""Stand-in "case system" window for genvej's end-to-end tests.

Usage: case_window.py TITLE WM_INSTANCE TEXT_FILE READY_FILE

Shows one top-level window titled exactly TITLE with a single multi-line Tk
Text field that has keyboard focus. WM_INSTANCE becomes the instance part of
WM_CLASS, so the harness can find exactly this window (Tk does not set
_NET_WM_PID, and titles may repeat). Whenever the field has changed
(checked every 10 ms), its whole content is written to TEXT_FILE (UTF-8,
atomically: temp file + rename), so a test can read exactly what arrived
without going through X. READY_FILE is written once the window is mapped,
the field has focus and TEXT_FILE exists.

Tk's Text class bindings do the work a real case system would: keys insert
their character (Return -> "\\n", Tab -> "\\t") and Ctrl+V (<<Paste>>) inserts
the CLIPBOARD selection.
"""

import os
import sys
import tkinter as tk

# How often the field's content is compared with the file and saved: the
# file may lag the field by this much.
SAVE_INTERVAL_MS = 10


def join_surrogates(text):
    """Tk 8.6 stores characters outside the BMP (emoji) as UTF-16 surrogate
    pairs; depending on the Python build they can reach us as two separate
    code points. Re-pair them so the file holds real UTF-8, and never fail:
    a lone surrogate is written escaped so a test sees it instead of a crash."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "backslashreplace")


def write_atomically(path, content):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(content)
    os.replace(tmp, path)


class CaseWindow:
    def __init__(self, title, wm_instance, text_path, ready_path):
        self.text_path = text_path
        self.ready_path = ready_path
        self.written = ""

        self.root = tk.Tk(className=wm_instance)
        self.root.title(title)
        self.root.geometry("640x400")
        self.field = tk.Text(self.root, wrap="word", undo=False)
        self.field.pack(fill="both", expand=True)
        write_atomically(self.text_path, "")
        self.root.after(0, self.announce_ready)
        self.root.after(SAVE_INTERVAL_MS, self.save_if_changed)

    def save_if_changed(self):
        """Runs every SAVE_INTERVAL_MS. Deliberately not a <<Modified>>
        handler: enigo binds characters it types to spare keycodes and
        re-binds those soon after, so a window must look each key up within
        about a millisecond. Python work plus a file write after every key
        made this window too slow: in 5 of 8 runs of 2,000 characters one
        character went missing or came out as the next one ("J" -> "ü"),
        which xterm never showed. Polling keeps the per-key path pure Tk."""
        content = self.field.get("1.0", "end-1c")
        if content != self.written:
            write_atomically(self.text_path, join_surrogates(content))
            self.written = content
        self.root.after(SAVE_INTERVAL_MS, self.save_if_changed)

    def announce_ready(self):
        self.root.wait_visibility()
        self.field.focus_force()
        self.root.update_idletasks()
        write_atomically(self.ready_path, str(os.getpid()))

    def run(self):
        self.root.mainloop()


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: case_window.py TITLE WM_INSTANCE TEXT_FILE READY_FILE")
    CaseWindow(*sys.argv[1:5]).run()


if __name__ == "__main__":
    main()
