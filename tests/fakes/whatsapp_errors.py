"""Graph API errors of the fake WhatsApp Cloud API: the codes, HTTP statuses and the JSON error shape.

Codes and HTTP statuses follow Meta's "WhatsApp error codes" table. Clients should classify errors by
`error.code` (as Meta recommends), not by HTTP status: the rate limits 130429, 131056 and 80007 are listed as
400 Bad Request there, while operators report 131056 arriving as 429; `fail_next(..., status=429)` covers that.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CodeInfo:
    status: int
    title: str
    details: str


ERRORS: dict[int, CodeInfo] = {
    0: CodeInfo(401, "AuthException", "We were unable to authenticate the app user."),
    4: CodeInfo(429, "API Too Many Calls", "The app has reached its API call rate limit."),
    10: CodeInfo(403, "Permission Denied", "Permission is either not granted or has been removed."),
    100: CodeInfo(400, "Invalid parameter", "The request included one or more unsupported or misspelled parameters."),
    190: CodeInfo(401, "Invalid OAuth access token - Cannot parse access token", ""),
    368: CodeInfo(403, "Temporarily blocked for policies violations", "The WhatsApp Business Account is restricted."),
    2500: CodeInfo(400, "Unknown path components", ""),
    80007: CodeInfo(400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    130429: CodeInfo(400, "Rate limit hit", "Cloud API message throughput has been reached."),
    131000: CodeInfo(500, "Something went wrong", "Message failed to send due to an unknown error."),
    131008: CodeInfo(400, "Required parameter is missing", "The request is missing a required parameter."),
    131009: CodeInfo(400, "Parameter value is not valid", "One or more parameter values are invalid."),
    131026: CodeInfo(400, "Message undeliverable", "Unable to deliver message."),
    131031: CodeInfo(403, "Business Account locked", "The WhatsApp Business Account has been locked."),
    131047: CodeInfo(400, "Re-engagement message", "Message failed to send because more than 24 hours have passed "
                                                   "since the customer last replied to this number."),
    131048: CodeInfo(400, "Spam rate limit hit", "Message failed to send because there are restrictions on how many "
                                                 "messages can be sent from this phone number."),
    131051: CodeInfo(400, "Unsupported message type", "Message type is not currently supported."),
    131053: CodeInfo(400, "Media upload error", "Unable to upload the media used in the message."),
    131056: CodeInfo(400, "(Business Account, Consumer Account) pair rate limit hit",
                     "Message failed to send because there were too many messages sent from this phone number "
                     "to the same phone number in a short period of time."),
    132000: CodeInfo(400, "Number of parameters does not match the expected number of params",
                     "The number of variable parameter values does not match the template."),
    132001: CodeInfo(404, "Template name does not exist in the translation",
                     "The template does not exist in the specified language or has not been approved."),
    132012: CodeInfo(400, "Parameter format does not match format in the created template",
                     "Variable parameter values are formatted incorrectly."),
    133010: CodeInfo(400, "Phone number Not Registered", "The phone number is not registered on the Cloud API."),
}


def trace_id() -> str:
    return secrets.token_urlsafe(17)[:23]


class GraphError(Exception):
    """Raised by a handler or a fault; becomes the Graph API error body with its HTTP status."""

    def __init__(self, code: int, details: str | None = None, *, status: int | None = None,
                 title: str | None = None, subcode: int | None = None) -> None:
        info = ERRORS.get(code, CodeInfo(400, "Error", ""))
        self.code = code
        self.status = status if status is not None else info.status
        self.title = title or info.title
        self.details = details if details is not None else info.details
        self.subcode = subcode
        super().__init__(f"({code}) {self.title}: {self.details}")

    def payload(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.title if self.code == 190 else f"(#{self.code}) {self.title}",
                                 "type": "OAuthException", "code": self.code}
        if self.details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["fbtrace_id"] = trace_id()
        return {"error": error}


def invalid(details: str) -> GraphError:
    """(#100) Invalid parameter: a malformed, missing or over-long request parameter."""
    return GraphError(100, details)


def bad_value(details: str) -> GraphError:
    """(#131009) Parameter value is not valid: an interactive message the Cloud API refuses."""
    return GraphError(131009, details)


def no_such_object(node: str) -> GraphError:
    return GraphError(100, f"Unsupported request. Object with ID '{node}' does not exist, cannot be loaded due to "
                           "missing permissions, or does not support this operation.", subcode=33)
