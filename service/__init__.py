"""hiremix: should your next engineers be product engineers, software engineers, or both?"""

__version__ = "0.1.0"


def create_app(config=None):
    """The Flask application (`flask --app service ...`, `gunicorn 'service:create_app()'`)."""
    from service.app import create_app as _create_app

    return _create_app(config)
