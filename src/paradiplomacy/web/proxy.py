"""Which absolute URLs the server writes (VoID, the service description, the pages, redirects): the
public_url setting; else what a trusted proxy's headers say (waitress has already applied them, and
cleared those of untrusted peers); else the address the server listens on. A request's own Host header
is never believed: it is replaced before the app sees it."""

from __future__ import annotations

from urllib.parse import urlsplit

from paradiplomacy.settings import Config, SettingError


def public_origin(config: Config) -> tuple[str, str, str] | None:
    """(scheme, host[:port], path prefix) to impose on every request; None to leave the trusted proxy's."""
    if config.public_url:
        url = urlsplit(config.public_url)
        if url.scheme not in ("http", "https") or not url.netloc or url.query or url.fragment:
            raise SettingError(f"PARADIPLOMACY_PUBLIC_URL={config.public_url!r}: not an http(s) base URL "
                               "such as https://kg.example.org/")
        return url.scheme, url.netloc, url.path.rstrip("/")
    if config.trusted_proxy:
        return None
    host = f"[{config.host}]" if ":" in config.host else config.host
    return config.url_scheme, f"{host}:{config.port}", config.url_prefix.rstrip("/")


class PublicURL:
    """WSGI middleware: the scheme, host and path prefix of the public URL, on every request."""

    def __init__(self, app, config: Config):
        self.app, self.origin = app, public_origin(config)

    def __call__(self, environ, start_response):
        if self.origin is not None:
            scheme, netloc, prefix = self.origin
            environ["wsgi.url_scheme"] = scheme
            environ["HTTP_HOST"] = netloc
            environ.pop("HTTP_X_FORWARDED_HOST", None)  # werkzeug's own proxy fix is not in use: belt and braces
            path = environ.get("PATH_INFO", "")
            if prefix and (path == prefix or path.startswith(prefix + "/")):  # the proxy kept the prefix
                environ["PATH_INFO"] = path[len(prefix):]
            if prefix:
                environ["SCRIPT_NAME"] = prefix
        return self.app(environ, start_response)
