#!/usr/bin/python3
"""A real drag source for the desktop end-to-end test: a small GTK window
that offers paths as `text/uri-list`, as a file manager does.

usage: drag_source.py X Y PATH...

It opens a 160 x 100 window at (X, Y) on the X display, prints
`ready <x> <y>` (the middle of the window, where a pointer press starts the
drag) once it is on screen, and after the drag prints `data-get` when the
drop target asked for the paths and `end` when the drag finished, then
exits. The test drives the pointer with xdotool (XTest), so the drag goes
through the X server's XDND protocol exactly as one made by a person.
Runs on Debian's python3-gi; exits with 1 after 60 s if nothing happened.
"""

import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gio, Gtk  # noqa: E402

WIDTH, HEIGHT = 160, 100


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    x, y = int(sys.argv[1]), int(sys.argv[2])
    uris = [Gio.File.new_for_path(p).get_uri() for p in sys.argv[3:]]

    win = Gtk.Window(title="trove-test-drag-source")
    win.set_decorated(False)
    win.set_default_size(WIDTH, HEIGHT)
    win.move(x, y)
    box = Gtk.EventBox()
    box.add(Gtk.Label(label="drag me"))
    win.add(box)

    targets = Gtk.TargetList.new([])
    targets.add_uri_targets(0)
    box.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
    box.drag_source_set_target_list(targets)

    def on_data_get(_widget, _context, selection, _info, _time):
        selection.set_uris(uris)
        print("data-get", flush=True)

    def on_end(_widget, _context):
        print("end", flush=True)
        GLib.timeout_add(200, Gtk.main_quit)

    def on_mapped(_widget, _event):
        # Report where the window really is (no window manager: where asked).
        ox, oy = win.get_window().get_origin()[1:]
        GLib.timeout_add(300, lambda: print(f"ready {ox + WIDTH // 2} {oy + HEIGHT // 2}", flush=True) and False)
        return False

    def give_up():
        print("timeout", flush=True)
        sys.exit(1)

    box.connect("drag-data-get", on_data_get)
    box.connect("drag-end", on_end)
    win.connect("map-event", on_mapped)
    win.connect("destroy", Gtk.main_quit)
    GLib.timeout_add_seconds(60, give_up)
    win.show_all()
    Gtk.main()


if __name__ == "__main__":
    main()
