#!/usr/bin/env python3
"""A stand-in desktop notification service for genvej's tests.

Owns org.freedesktop.Notifications on the session bus and writes each
notification it is sent as one JSON line to OUT. Creates READY once it owns
the name. Usage: notification_server.py OUT READY
"""
import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

INTERFACE = "org.freedesktop.Notifications"


class Service(dbus.service.Object):
    def __init__(self, bus, out):
        super().__init__(bus, "/org/freedesktop/Notifications")
        self.out = out
        self.last_id = 0

    @dbus.service.method(INTERFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        self.last_id += 1
        record = {
            "app": str(app),
            "summary": str(summary),
            "body": str(body),
            "timeout_ms": int(timeout),
        }
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        return self.last_id

    @dbus.service.method(INTERFACE, out_signature="as")
    def GetCapabilities(self):
        return ["body"]

    @dbus.service.method(INTERFACE, out_signature="ssss")
    def GetServerInformation(self):
        return ("genvej-test", "genvej", "1", "1.2")

    @dbus.service.method(INTERFACE, in_signature="u")
    def CloseNotification(self, notification_id):
        pass


def main():
    out, ready = sys.argv[1], sys.argv[2]
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    name = dbus.service.BusName(INTERFACE, bus)
    service = Service(bus, out)
    open(ready, "w").close()
    GLib.MainLoop().run()
    del name, service


if __name__ == "__main__":
    main()
