"""Help → Roles…: the table of who may do what, as the store checks it."""

from __future__ import annotations

import pytest

from ari_desktop.core.roles import ACTIONS, ROLES, may
from ari_desktop.gui.roles_dialog import NO, YES, RolesDialog

pytestmark = pytest.mark.usefixtures("gui_settings")


def test_the_roles_dialog_shows_every_action_and_role_of_the_table_the_store_checks(window):
    (help_menu,) = [m for m in window.menuBar().actions() if m.text() == "&Help"]
    (roles,) = [a for a in help_menu.menu().actions() if a.text() == "&Roles…"]
    roles.trigger()
    table = window.findChild(RolesDialog).table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == list(ROLES)
    assert [table.verticalHeaderItem(r).text() for r in range(table.rowCount())] == [w for w, _ in ACTIONS.values()]
    for row, action in enumerate(ACTIONS):
        for column, role in enumerate(ROLES):
            assert table.item(row, column).text() == (YES if may([role], action) else NO), (action, role)
    decide = list(ACTIONS).index("decide-fraction")
    assert table.item(decide, ROLES.index("physician")).text() == YES
    assert table.item(decide, ROLES.index("nurse")).text() == NO
