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
            raise SettingError(
                f"PARADIPLOMACY_PUBLIC_URL={config.public_url!r}: not an http(s) base URL "
                "such as https://kg.example.org/"
            )
        return url.scheme, url.netloc, url.path.rstrip("/")
    if config.trusted_proxy:
        return None
    host = f"[{config.host}]" if ":" in config.host else config.host
    return config.url_scheme, f"{host}:{config.port}", config.url_prefix.rstrip("/")


class PublicURL:
    """WSGI middleware: the scheme, host and path prefix of the public URL, on every request."""

    def __init__(self, app, config: Config):
        self.app, self.origin = app, public_origin(config)
        self.trusted_hosts = frozenset(h.lower() for h in config.trusted_hosts)

    def __call__(self, environ, start_response):
        if self.trusted_hosts:
            host = request_host(environ)
            if host not in self.trusted_hosts:
                body = (
                    "this server does not answer for the host that the request names: it answers for "
                    f"{', '.join(sorted(self.trusted_hosts))} (PARADIPLOMACY_TRUSTED_HOSTS)\n"
                ).encode()
                start_response(
                    "400 Bad Request",
                    [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
                )
                return [body]
        if self.origin is not None:
            scheme, netloc, prefix = self.origin
            environ["wsgi.url_scheme"] = scheme
            environ["HTTP_HOST"] = netloc
            environ.pop("HTTP_X_FORWARDED_HOST", None)  # werkzeug's own proxy fix is not in use: belt and braces
            path = environ.get("PATH_INFO", "")
            if prefix and (path == prefix or path.startswith(prefix + "/")):  # the proxy kept the prefix
                environ["PATH_INFO"] = path[len(prefix) :]
            if prefix:
                environ["SCRIPT_NAME"] = prefix
        return self.app(environ, start_response)


def request_host(environ) -> str:
    """The host name a request names (Host, else the address it came to), lower case, without its port."""
    host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")).strip().lower()
    if host.startswith("["):  # an IPv6 literal: [::1]:5000
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
