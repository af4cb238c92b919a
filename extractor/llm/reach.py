"""Is the configured endpoint there? Asked once, before a command sends any filing to it.

``check_endpoint(settings)`` makes one request through the real ``openai`` client (``GET /models``, no
retries, a short timeout). Any HTTP answer, even 401 or 404, means a server is listening; a refused
or failed connection, or no answer in time, raises :class:`EndpointUnreachable` with one line that
names the URL and what to do. ``extract``, ``run`` and ``doctor`` call it, so a wrong ``--base-url``
stops at once instead of retrying every item of every filing.
"""

from __future__ import annotations

from typing import Any

import httpx
import openai

from ..config import Settings
from ..errors import ConfigError
from .base import chain

PROBE_TIMEOUT_S = 10.0


class EndpointUnreachable(ConfigError):
    """No server answers at the configured endpoint (a setup error: exit code 2)."""

    def __init__(self, url: str, why: str) -> None:
        super().__init__(
            f"cannot reach the model endpoint {url} ({why}); start the server there, or fix --base-url / "
            "OPENAI_BASE_URL (unset both to use the embedded model); `extractor doctor` checks the setup"
        )
        self.url = url
        self.why = why


def endpoint_url(settings: Settings) -> str:
    return settings.base_url or "https://api.openai.com/v1"


def _why(exc: BaseException) -> str:
    for e in chain(exc):
        if isinstance(e, (httpx.TimeoutException, openai.APITimeoutError)):
            return "no answer in time"
        if isinstance(e, ConnectionRefusedError) or "refused" in str(e).lower():
            return "connection refused"
    for e in chain(exc):
        if isinstance(e, httpx.ConnectError) and str(e):
            return str(e).splitlines()[0][:120]
    return "connection failed"


def check_endpoint(
    settings: Settings, *, http_client: httpx.Client | None = None, timeout_s: float = PROBE_TIMEOUT_S
) -> None:
    """Raise EndpointUnreachable unless a server answers at the settings' endpoint."""
    url = endpoint_url(settings)
    key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
    args: dict[str, Any] = {"base_url": url, "api_key": key, "max_retries": 0, "timeout": timeout_s}
    client = openai.OpenAI(**args, http_client=http_client)  # type: ignore[arg-type]
    try:
        client.models.list()
    except openai.APIStatusError:
        return  # an HTTP answer: something is listening (auth and model are checked by the first fill)
    except openai.APIConnectionError as exc:  # APITimeoutError is one too
        raise EndpointUnreachable(url, _why(exc)) from None
    finally:
        if http_client is None:
            client.close()
