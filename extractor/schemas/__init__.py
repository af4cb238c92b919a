"""Event schemas per 8-K item: the plain value shapes (see ``_base``).

``schema_for(number)`` gives the schema for a modern item number ("5.02") or ``None`` for items that
have no event (9.01, whose exhibits the parser reads). Legacy items map through their modern equivalent.
"""

from __future__ import annotations

from ._base import Event
from .agreements import AgreementTermination, MaterialAgreement
from .auditor import AuditorChange
from .disclosure import CATEGORIES, Disclosure
from .generic import GenericEvent, KeyFact
from .officers import OfficerChange, OfficerChanges
from .results import ResultsOfOperations
from .securities import DelistingNotice, UnregisteredSale
from .transactions import AcquisitionDisposition, FinancialObligation
from .votes import Proposal, ShareholderVote

SCHEMAS: dict[str, type[Event]] = {
    "1.01": MaterialAgreement,
    "1.02": AgreementTermination,
    "2.01": AcquisitionDisposition,
    "2.02": ResultsOfOperations,
    "2.03": FinancialObligation,
    "3.01": DelistingNotice,
    "3.02": UnregisteredSale,
    "4.01": AuditorChange,
    "5.02": OfficerChanges,
    "5.07": ShareholderVote,
    "7.01": Disclosure,
    "8.01": Disclosure,
}

NO_EVENT = frozenset({"9.01"})


def schema_for(modern_number: str | None) -> type[Event] | None:
    if modern_number is None:
        return GenericEvent
    if modern_number in NO_EVENT:
        return None
    return SCHEMAS.get(modern_number, GenericEvent)


__all__ = [
    "CATEGORIES",
    "SCHEMAS",
    "AcquisitionDisposition",
    "AgreementTermination",
    "AuditorChange",
    "DelistingNotice",
    "Disclosure",
    "Event",
    "FinancialObligation",
    "GenericEvent",
    "KeyFact",
    "MaterialAgreement",
    "OfficerChange",
    "OfficerChanges",
    "Proposal",
    "ResultsOfOperations",
    "ShareholderVote",
    "UnregisteredSale",
    "schema_for",
]
