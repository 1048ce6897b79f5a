"""Provider governance (准入、培训、评价、淘汰): admission, probation, ratings, suspension, appeals.

- A provider applies to serve a community with its documents; an operator admits or rejects.
  Admission links the applicant to the provider (as ``provider_staff``) and starts probation.
- Residents rate completed dispatch jobs; each rating is a ``job_rated`` credit event about the
  job's provider.
- A negative event that leaves a provider under the threshold suspends it at once: the reason
  is kept for the provider to read, ``credit.provider_suspended`` goes out through the outbox,
  and dispatch offers its workers no more jobs (:func:`suspended_providers`).
- A suspended provider appeals; an operator grants the appeal (annulling the events found
  unfair, if any) and the provider is reinstated on probation, or refuses it.

Every function runs in the caller's transaction; every decision is in the credit audit log.
This module gathers them from :mod:`.admission`, :mod:`.evaluation`, :mod:`.appeals` and
:mod:`.provider_standing`.
"""

from __future__ import annotations

from .admission import REQUIRED_DOCUMENTS, admit_or_reject, apply
from .appeals import decide_appeal, file_appeal
from .evaluation import rate_job, record_core
from .provider_standing import provider_of, provider_view, require_staff, suspended_providers

__all__ = [
    "REQUIRED_DOCUMENTS",
    "admit_or_reject",
    "apply",
    "decide_appeal",
    "file_appeal",
    "provider_of",
    "provider_view",
    "rate_job",
    "record_core",
    "require_staff",
    "suspended_providers",
]
