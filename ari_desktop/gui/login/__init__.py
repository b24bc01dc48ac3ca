"""The window's log-in: who is signed in, the first administrator of a new database, the forced change of a
given password, the idle lock and the switch of user at a shared bedside PC.

The dialogs (dialogs.py, Qt Designer forms) and argon2 load only when someone signs in: the screenshot
and first-paint modes open with nobody signed in and never import them.
"""
