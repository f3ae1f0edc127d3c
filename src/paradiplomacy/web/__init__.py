"""The SPARQL endpoint and web interface: `create_app(config)` makes the Flask application;
`paradiplomacy serve` runs it with waitress.

The package imports nothing eagerly, so that a query worker (`python -m paradiplomacy.web.worker`)
starts without the web application."""


def __getattr__(name: str):
    if name == "create_app":
        from paradiplomacy.web.app import create_app

        return create_app
    raise AttributeError(name)
