"""Start the Java virtual machine that runs MPXJ, once, on first use.

Importing this module imports neither jpype nor mpxj and starts nothing:
:func:`start_jvm` does that the first time a project file is read. A missing
extra or a missing Java runtime becomes a :class:`~pmo_tui.errors.UserError`
that says what to install.
"""

from __future__ import annotations

import threading
from types import ModuleType

from pmo_tui.errors import UserError

__all__ = ["EXTRA_HINT", "start_jvm"]

#: How to get the Python side of project-file import.
EXTRA_HINT = "pip install 'pmo-tui[project-files]'"
JAVA_HINT = (
    "install a Java runtime, version 11 or later (e.g. `apt install default-jre`), "
    "or set JAVA_HOME to one"
)

_LOCK = threading.Lock()


def start_jvm() -> ModuleType:
    """Return the ``jpype`` module with a running JVM that has MPXJ's jars on its class path.

    Safe to call many times and from several threads; the JVM starts once per
    process (a JVM cannot be restarted after it stops). If another part of the
    process already started it, it is reused as it is.

    Raises:
        UserError: jpype or mpxj is not installed, or no Java runtime is found.
    """
    try:
        import jpype
        import mpxj  # noqa: F401  (adds MPXJ's jars to jpype's class path)
    except ImportError as exc:
        raise UserError(
            "reading project files needs the optional packages mpxj and jpype1 "
            f"({exc.name or exc} is missing)",
            fix=f"install the extra: {EXTRA_HINT}, and a Java runtime (Java 11 or later)",
        ) from None
    with _LOCK:
        if jpype.isJVMStarted():
            return jpype
        try:
            jpype.startJVM("-Djava.awt.headless=true", convertStrings=True)
        except (jpype.JVMNotFoundException, jpype.JVMNotSupportedException) as exc:
            raise UserError(
                f"reading project files needs a Java runtime, and none could be started ({exc})",
                fix=JAVA_HINT,
            ) from None
        except OSError as exc:
            raise UserError(
                f"the Java runtime could not be started ({exc})",
                fix=JAVA_HINT,
            ) from None
    return jpype
