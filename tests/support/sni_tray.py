#!/usr/bin/env python3
"""A stand-in StatusNotifier tray for genvej's tests.

  sni_tray.py watch ITEMS READY
      Owns org.kde.StatusNotifierWatcher on the session bus and is its own
      host (IsStatusNotifierHostRegistered is true once it runs). Appends the
      bus name of each item that registers to ITEMS, one a line; creates
      READY once it owns the name.
  sni_tray.py show SERVICE
      Reads the item like a panel does (its properties and its dbusmenu
      layout) and prints them as one JSON object.
  sni_tray.py click SERVICE ID
      Sends the menu item ID the "clicked" event a panel sends when a
      person chooses it.
"""
import json
import re
import sys

import dbus
import dbus.service

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
PROPERTIES = "org.freedesktop.DBus.Properties"


class Watcher(dbus.service.Object):
    def __init__(self, bus, out):
        super().__init__(bus, "/StatusNotifierWatcher")
        self.out = out
        self.items = []

    @dbus.service.method(WATCHER, in_signature="s", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        # An item names its bus name, or (without one) only its object path.
        name = str(service) if not service.startswith("/") else str(sender)
        if name not in self.items:
            self.items.append(name)
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(name + "\n")
        self.StatusNotifierItemRegistered(name)

    @dbus.service.method(WATCHER, in_signature="s")
    def RegisterStatusNotifierHost(self, service):
        pass

    @dbus.service.signal(WATCHER, signature="s")
    def StatusNotifierItemRegistered(self, name):
        pass

    @dbus.service.method(PROPERTIES, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        return self.GetAll(interface)[prop]

    @dbus.service.method(PROPERTIES, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return {
            "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
            "IsStatusNotifierHostRegistered": dbus.Boolean(True),
            "ProtocolVersion": dbus.Int32(0),
        }


def watch(out, ready):
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    name = dbus.service.BusName(WATCHER, bus)
    watcher = Watcher(bus, out)
    open(ready, "w").close()
    GLib.MainLoop().run()
    del name, watcher


def label(text):
    """The label as a panel shows it: `__` is `_`, a lone `_` marks the
    access key and is not shown."""
    return re.sub(r"_(_?)", lambda m: m.group(1), str(text))


def node(layout):
    item_id, props, children = layout
    return {
        "id": int(item_id),
        "label": label(props.get("label", "")),
        "type": str(props.get("type", "standard")),
        "enabled": bool(props.get("enabled", True)),
        "visible": bool(props.get("visible", True)),
        "children": [node(child) for child in children],
    }


def show(service):
    bus = dbus.SessionBus()
    item = dbus.Interface(bus.get_object(service, "/StatusNotifierItem"), PROPERTIES)
    props = item.GetAll(ITEM)
    icons = [(int(w), int(h), bytes(data)) for (w, h, data) in props.get("IconPixmap", [])]
    tooltip = props.get("ToolTip", ("", [], "", ""))
    menu = dbus.Interface(bus.get_object(service, props["Menu"]), MENU)
    menu.AboutToShow(0)
    _revision, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"))
    print(
        json.dumps(
            {
                "id": str(props.get("Id", "")),
                "title": str(props.get("Title", "")),
                "status": str(props.get("Status", "")),
                "tooltip": str(tooltip[2]),
                "icons": [
                    {"width": w, "height": h, "argb": data.hex()} for (w, h, data) in icons
                ],
                "menu": node(layout)["children"],
            },
            ensure_ascii=False,
        )
    )


def click(service, item_id):
    bus = dbus.SessionBus()
    item = dbus.Interface(bus.get_object(service, "/StatusNotifierItem"), PROPERTIES)
    path = item.Get(ITEM, "Menu")
    menu = dbus.Interface(bus.get_object(service, path), MENU)
    menu.Event(
        dbus.Int32(int(item_id)),
        "clicked",
        dbus.String("", variant_level=1),
        dbus.UInt32(0),
    )


def main():
    command = sys.argv[1]
    if command == "watch":
        watch(sys.argv[2], sys.argv[3])
    elif command == "show":
        show(sys.argv[2])
    elif command == "click":
        click(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
