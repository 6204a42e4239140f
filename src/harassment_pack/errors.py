"""The one exception type for mistakes a user can fix.

The CLI prints a ``UserError`` as a single line and exits with code 2; anything else is a bug
and keeps its traceback. Keeping the distinction in one type means library callers (a firm's own
scripts, the tests) can catch user mistakes without string matching.
"""


class UserError(Exception):
    """A problem with the user's input: the message says what, where and how to fix it."""

    exit_code = 2
