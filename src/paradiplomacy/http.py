"""The project's one HTTP client stack: requests, with urllib3's Retry mounted on the session.

`session()` gives a requests.Session that sends the project's User-Agent, a default timeout on
every request, and, where asked, retries a request the server answered 429 or 503: waiting as
long as its Retry-After says or, without it, `backoff` seconds doubled at each retry, never longer
than `max_wait`, at most `retries` times; then the last answer comes back as it is, for the caller
to report. Connection failures and timeouts are never retried. The remote store and the Wikidata
client both use it.
"""

from __future__ import annotations

import email.utils
import time
from itertools import takewhile

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from paradiplomacy import __version__

RETRIES = 5
BACKOFF = 1.0  # the first wait without Retry-After, doubled at each retry
MAX_WAIT = 60.0  # the longest wait, with or without Retry-After
RETRY_STATUSES = frozenset({429, 503})
# SPARQL queries go by POST too (a query is idempotent whatever the method carrying it); a caller
# that sends updates asks for retries=0 (see RemoteStore._send)
RETRY_METHODS = frozenset({"GET", "HEAD", "POST"})


def user_agent(purpose: str) -> str:
    """The project's User-Agent: its name and version, what it is for, and the HTTP library."""
    return f"paradiplomacy-kg/{__version__} ({purpose}) python-requests/{requests.__version__}"


class Backoff(Retry):
    """urllib3's Retry, where it cannot express the project's policy:

    - the first retry without Retry-After waits `backoff_factor` seconds (urllib3's waits 0, then
      2x, 4x, ... the factor; ours waits 1x, 2x, 4x ...);
    - Retry-After is capped at `backoff_max` as the backoff is (urllib3 caps it only at its
      `retry_after_max`, of newer versions, 6 hours by default), may be a decimal number of
      seconds, and an unreadable one means backing off as without it (urllib3 raises);
    - only 429 and 503 are retried (urllib3 also retries 413 when it carries Retry-After).
    """

    RETRY_AFTER_STATUS_CODES = RETRY_STATUSES

    def get_backoff_time(self) -> float:
        errors = len(list(takewhile(lambda x: x.redirect_location is None, reversed(self.history))))
        if errors < 1:
            return 0.0
        return float(max(0.0, min(self.backoff_max, self.backoff_factor * 2 ** (errors - 1))))

    def parse_retry_after(self, retry_after: str) -> float:
        try:
            seconds = float(retry_after)
        except ValueError:
            date = email.utils.parsedate_tz(retry_after)
            if date is None:
                return 0.0  # no usable Retry-After: Retry.sleep then backs off as without one
            seconds = email.utils.mktime_tz(date) - time.time()
        return float(max(0.0, min(seconds, self.backoff_max)))


class _Adapter(HTTPAdapter):
    """An HTTPAdapter with a default timeout (requests has none: a request could wait forever)."""

    def __init__(self, timeout: float, **kwargs):
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request, timeout=None, **kwargs):
        return super().send(request, timeout=self.timeout if timeout is None else timeout, **kwargs)


def retry_policy(retries: int = RETRIES, backoff: float = BACKOFF, max_wait: float = MAX_WAIT) -> Backoff:
    """Retry on 429 and 503 only, `retries` times, honouring Retry-After; nothing else retried."""
    return Backoff(
        total=retries,
        status=retries,
        connect=0,
        read=False,
        other=0,
        redirect=None,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=RETRY_METHODS,
        backoff_factor=backoff,
        backoff_max=max_wait,
        respect_retry_after_header=True,
        raise_on_status=False,
    )  # the last 429/503 comes back, for the caller to report


def session(
    purpose: str, *, timeout: float = 60.0, retries: int = RETRIES, backoff: float = BACKOFF, max_wait: float = MAX_WAIT
) -> requests.Session:
    """A session with the project's User-Agent (naming `purpose`), a default timeout, and the retry
    policy (retries=0: none, for requests that must not be sent twice)."""
    s = requests.Session()
    s.headers["User-Agent"] = user_agent(purpose)
    adapter = _Adapter(timeout, max_retries=retry_policy(retries, backoff, max_wait) if retries else 0)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def _causes(exc: BaseException):
    """The exception and what it wraps, down to the root cause: requests wraps urllib3's
    errors, which wrap (MaxRetryError.reason) others, which wrap the socket's."""
    seen = set()
    while isinstance(exc, BaseException) and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        inner = exc.reason if isinstance(exc, MaxRetryError) else None
        if inner is None and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        exc = inner if inner is not None else exc.__cause__


def reason(exc: BaseException) -> str:
    """Why a request failed, in the words of its root cause ("[Errno 111] Connection refused"),
    not requests' and urllib3's wrappers around it."""
    root = list(_causes(exc))[-1]
    return str(root) or type(root).__name__


def is_read_timeout(exc: BaseException) -> bool:
    """A timeout after the request was sent: the server took it and did not answer in time (not
    one of connecting, which is a server that cannot be reached)."""
    return any(isinstance(e, (requests.ReadTimeout, ReadTimeoutError)) for e in _causes(exc))
