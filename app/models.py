"""Imports every model so Base.metadata knows all tables (Alembic, tests)."""
from app.accounts.models import SignIn, User  # noqa: F401
from app.areas.models import Area  # noqa: F401
from app.clients.models import Client, ClientAssignment  # noqa: F401
from app.db import Base  # noqa: F401
from app.fieldwork.models import Concern, Goal, Problem, Progress, Visit  # noqa: F401
from app.sync.changes import ChangeCounter  # noqa: F401
from app.volunteers.models import ComplianceCheck, MentorPair, PairMembership  # noqa: F401
from app.sync.models import ScopeEvent, SyncConflict, SyncMutation  # noqa: F401
from app.reminders.models import ReminderPreference, ReminderSend  # noqa: F401
from app.webpush.models import WebPushSubscription  # noqa: F401
from app.safeguarding.models import ConcernAction  # noqa: F401
from app.expenses.models import ExpenseClaim, ExpenseItem, MileageRate  # noqa: F401
from app.receipts.models import Receipt  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.referrals.models import ReferralDecision, ReferralFacts  # noqa: F401
from app.volunteers.lapses import PairBlock  # noqa: F401
from app.outcomes.models import DemandCount  # noqa: F401
from app.wellbeing.models import WellbeingScore  # noqa: F401
