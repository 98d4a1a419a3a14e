"""hiremix: should your next engineers be product engineers, software engineers, or both?"""

import sys

__version__ = "0.1.0"


def create_app(config=None):
    """The application factory (imported lazily so `import service` stays cheap).

    Started from the environment (`flask --app service`, gunicorn), a setting
    that cannot work stops the process with one line on stderr instead of a
    traceback; with an explicit `config` (tests) the error is raised.
    """
    from service.app import create_app as _create_app
    from service.config import ConfigurationError

    try:
        return _create_app(config)
    except ConfigurationError as error:
        if config is not None:
            raise
        sys.stderr.write(f"hiremix: configuration error: {error}\n")
        raise SystemExit(2) from None
