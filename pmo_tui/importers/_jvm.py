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

__all__ = ["EXTRA_HINT", "JVM_OPTIONS", "start_jvm"]

#: How to get the Python side of project-file import.
EXTRA_HINT = "pip install 'pmo-tui[project-files]'"
JAVA_HINT = (
    "install a Java runtime, version 11 or later (e.g. `apt install default-jre`), "
    "or set JAVA_HOME to one"
)

#: Options of the JVM: no display, and no Log4j output on stderr. MPXJ (and Apache POI,
#: which reads MPP files) log through the Log4j API; without a logging back end on the
#: class path Log4j prints "could not find a logging provider" on every run. Its status
#: logger is switched off and its simple provider set to log nothing, so that users see
#: only the product's notes (what MPXJ skips is reported there, see ``mpxj_read``).
JVM_OPTIONS = (
    "-Djava.awt.headless=true",
    "-Dlog4j2.statusLoggerLevel=OFF",
    "-Dlog4j.provider=org.apache.logging.log4j.simple.internal.SimpleProvider",
    "-Dlog4j2.simplelogLevel=OFF",
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
            # interrupt=False: Ctrl-C becomes Python's KeyboardInterrupt (the CLI's "nothing
            # was written", exit 130); JPype's default halts the JVM under Python instead.
            jpype.startJVM(*JVM_OPTIONS, convertStrings=True, interrupt=False)
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
