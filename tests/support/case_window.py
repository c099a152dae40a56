"""Stand-in "case system" window for genvej's end-to-end tests.

Usage: case_window.py TITLE WM_INSTANCE [TEXT_FILE READY_FILE]

Shows one top-level window titled exactly TITLE with a single multi-line Tk
Text field that has keyboard focus. WM_INSTANCE becomes the instance part of
WM_CLASS, so the harness can find exactly this window (Tk sets no
_NET_WM_PID, and titles may repeat).

Tk's Text class bindings do what a real case system would: keys insert
their character (Return -> "\\n", Tab -> "\\t"), BackSpace deletes, and
Ctrl+V (<<Paste>>) inserts the CLIPBOARD selection.

The field's whole content is reported whenever it changed (checked every
5 ms), not through X, so a test sees exactly what arrived:
- started by the harness (Desktop::case_window), on stdout:
      text <N>\\n<N bytes of UTF-8>   the content
      ready\\n                         once mapped with focus on the field
- with TEXT_FILE and READY_FILE (e.g. launched by the agent under test):
  TEXT_FILE holds the content (UTF-8, replaced atomically: temp file +
  rename); READY_FILE appears once mapped with focus on the field.
"""

import os
import sys
import tkinter as tk

# How often the field is compared with what was last reported. A change is
# reported at most this much later.
REPORT_INTERVAL_MS = 5


def join_surrogates(text):
    """Tk 8.6 stores characters outside the BMP (emoji) as UTF-16 surrogate
    pairs; depending on the Python build they can reach us as two separate
    code points. Re-pair them so we report real UTF-8, and never fail: a lone
    surrogate is reported escaped so a test sees it instead of a crash."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "backslashreplace")


class StdoutReporter:
    def __init__(self):
        self.out = sys.stdout.buffer

    def text(self, data):
        self.send(b"text %d\n" % len(data) + data)

    def ready(self):
        self.send(b"ready\n")

    def send(self, message):
        try:
            self.out.write(message)
            self.out.flush()
        except BrokenPipeError:
            sys.exit(0)  # the harness is gone


class FileReporter:
    def __init__(self, text_path, ready_path):
        self.text_path = text_path
        self.ready_path = ready_path

    def text(self, data):
        write_atomically(self.text_path, data)

    def ready(self):
        write_atomically(self.ready_path, b"%d\n" % os.getpid())


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class CaseWindow:
    def __init__(self, title, wm_instance, reporter):
        self.reporter = reporter
        self.reported = None

        self.root = tk.Tk(className=wm_instance)
        self.root.title(title)
        self.root.geometry("640x400")
        self.field = tk.Text(self.root, wrap="word", undo=False)
        self.field.pack(fill="both", expand=True)
        self.report_if_changed()
        self.root.after(0, self.announce_ready)

    def report_if_changed(self):
        """Runs every REPORT_INTERVAL_MS. Deliberately not a <<Modified>>
        handler: enigo binds the characters it types to spare keycodes and
        re-binds those right after use, so a window must look each key up
        within about a millisecond. With Python work and a file write after
        every key, this window lost or swapped a character ("J" -> "ü") in
        5 of 8 runs of 2,000 characters, which xterm never did. Polling keeps
        the per-key path pure Tk."""
        content = self.field.get("1.0", "end-1c")
        if content != self.reported:
            self.reporter.text(join_surrogates(content).encode("utf-8"))
            self.reported = content
        self.root.after(REPORT_INTERVAL_MS, self.report_if_changed)

    def announce_ready(self):
        self.root.wait_visibility()
        self.field.focus_force()
        self.root.update_idletasks()
        self.reporter.ready()

    def run(self):
        self.root.mainloop()


def main():
    args = sys.argv[1:]
    if len(args) == 2:
        reporter = StdoutReporter()
    elif len(args) == 4:
        reporter = FileReporter(args[2], args[3])
    else:
        sys.exit("usage: case_window.py TITLE WM_INSTANCE [TEXT_FILE READY_FILE]")
    CaseWindow(args[0], args[1], reporter).run()


if __name__ == "__main__":
    main()
