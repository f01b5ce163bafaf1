"""All core tables. Importing this package registers them on ``core.db.Base.metadata``."""
from core.models.org import OrgUnit, Tenant, UnitKind
from core.models.people import ApiToken, LoginSession, Membership, Role, User
from core.models.plugins import PluginEnablement, PluginFault
from core.models.programme import Programme
from core.models.project import Attachment, BudgetItem, Project, ProjectState
from core.models.review import Decision, PanelMember, Score
from core.models.audit import AuditEntry
from core.models.notification import Notification
from core.models.endorsement import ChangeRequest, Endorsement
from core.models.ledger import EntryKind, Fund, FundKind, LedgerEntry
from core.models.sponsorship import Pledge, Sponsor, SponsorKind
from core.models.fund_request import BatchState, FundRequest, FundRequestBatch, FundRequestState
from core.models.inbox import DeliveryState, MailDelivery, RoleHandover  # inbox: e-mail, handovers
# delivery: plan tasks, activity records, people
from core.models.delivery import (ActivityFile, ActivityParticipant, ActivityRecord, PersonRole, PlanRevision, PlanTask,
                                  RegistryPerson, TaskStatus)
from core.models.supervision import (ProjectCloseout, Rectification, RectificationState, SupervisionAssignment,
                                     SupervisionVisit)
# reporting: obligations with dates, their due items and reports
from core.models.obligation import (DueItem, ItemState, ObligationAlert, ObligationPeriod, ObligationReport,
                                    ProgrammeObligation, ReportState)
# the tasks a unit of work asked for, sent after its commit
from core.models.outbox import OutboxMessage, OutboxState

__all__ = [
    "Tenant", "OrgUnit", "UnitKind", "User", "Membership", "Role", "ApiToken", "LoginSession",
    "PluginEnablement", "PluginFault", "Programme", "Project", "ProjectState", "BudgetItem",
    "Attachment", "PanelMember", "Score", "Decision", "AuditEntry", "Notification", "Endorsement", "ChangeRequest",
    "Fund", "FundKind", "LedgerEntry", "EntryKind", "Sponsor", "SponsorKind", "Pledge",
    "FundRequest", "FundRequestBatch", "FundRequestState", "BatchState",
    "DeliveryState", "MailDelivery", "RoleHandover",  # inbox
    # delivery: plan tasks, activity records, people
    "PlanTask", "PlanRevision", "TaskStatus", "ActivityRecord", "ActivityFile", "ActivityParticipant", "RegistryPerson",
    "PersonRole",
    # supervision and close-out
    "SupervisionAssignment", "SupervisionVisit", "Rectification", "RectificationState", "ProjectCloseout",
    "ProgrammeObligation", "ObligationPeriod", "ObligationAlert", "DueItem", "ItemState", "ObligationReport", "ReportState",
    "OutboxMessage", "OutboxState",
]

# Writing through these models is audited: the listener lives with the models so no session
# can exist without it (inside the package, so it imports the audit entry's model without
# running this package's import again).
from core.models import auditing as _auditing  # noqa: E402,F401
