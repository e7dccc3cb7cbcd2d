"""Virtual resident ID-card reader: SAM-V over a pty, a TCP socket or an existing tty.

Written from the protocol, independently of ``drivers.idcard`` (the tests check that the two
sides agree, so they cannot share a mistake). ``device`` is the reader's behaviour (bytes in,
bytes out, fault injection); ``server`` moves bytes; ``citizens`` holds made-up people.
"""
