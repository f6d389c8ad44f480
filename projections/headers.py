"""Column names of the reports and views, marked for the catalogue (docs/i18n.md).

A column's name is its data key (JSON, the read models) and the message id of its header;
the table renderer (projections/tables.py) shows the header in the officer's language. A new
column name is added here (or marked with N_ where it is declared) and translated in jcg.po.
"""

from domain.messages import N_

HEADERS = (
    N_("account"), N_("actor"), N_("amount"), N_("award"), N_("awarded"), N_("awards"), N_("bank"),
    N_("bearer"), N_("borrower"), N_("cap"), N_("capital"), N_("cash"), N_("category"), N_("clause"),
    N_("clawed_back"), N_("committed"), N_("cost_held"), N_("credit"), N_("debit"), N_("decided"),
    N_("disbursed"), N_("early_stage_projects"), N_("enterprise"), N_("event"), N_("failed_projects"),
    N_("failure_flagged"), N_("failure_tolerance"), N_("fund"), N_("kind"), N_("limit"), N_("loan"),
    N_("loss"), N_("name"), N_("name_or_enterprise"), N_("net_spent"), N_("outstanding"), N_("owed"),
    N_("paid"), N_("position"), N_("principal"), N_("proceeds"), N_("realised_gain"), N_("reassigned"),
    N_("recipient"), N_("record"), N_("recorded_at"), N_("recovered"), N_("ref"), N_("released"),
    N_("remaining"), N_("request_id"), N_("scope"), N_("share"), N_("source"), N_("status"), N_("title"),
    N_("trace"), N_("unit"), N_("units_held"), N_("unrepaid"), N_("used"), N_("year"),
    N_("code"), N_("entered"), N_("role"), N_("keys"), N_("voucher"), N_("reason"), N_("date"),
    N_("holder"), N_("units"), N_("premium"), N_("item"), N_("recorder"), N_("entity"), N_("security"), N_("price"), N_("owes"), N_("returned"), N_("what_if"), N_("difference"),
)


# Words shown in table cells (statuses, cap kinds, units, record kinds): codes in the data,
# shown in the officer's language by the renderer (Col(words=True)).
WORDS = (
    N_("approved"), N_("converted"), N_("repaid"), N_("defaulted"), N_("exited"), N_("failed"), N_("finished"),
    N_("claimed"), N_("recovering"), N_("compensated"), N_("loss declared"), N_("non-performing"),
    N_("enrolled"), N_("performing"), N_("places"), N_("yuan"), N_("all years"), N_("(all recipients)"),
    N_("per year"), N_("per award"), N_("over the period"), N_("per project"), N_("places per year"),
    N_("holding"), N_("equity"), N_("debt"), N_("total"), N_("bank"), N_("one-time"), N_("one-time: used"),
    N_("unit"), N_("source"), N_("True"), N_("False"),
    # event names in `audit trail`
    N_("AwardGranted"), N_("Disbursed"), N_("ClawedBack"), N_("Registered"), N_("Qualified"),
    N_("ExternalAwardRecorded"), N_("TranchePaid"), N_("Approved"), N_("Converted"), N_("Enrolled"),
    N_("Claimed"), N_("ClaimApproved"), N_("Paid"), N_("Recovered"), N_("Triggered"), N_("Finished"),
    N_("Failed"), N_("BoughtBack"), N_("Sold"), N_("PlaceTaken"), N_("RequestRecorded"),
    N_("PaymentOrdered"), N_("Ordered"), N_("Posted"), N_("Voided"), N_("AwardVoided"), N_("PaymentOrderVoided"),
    N_("TrancheOrdered"), N_("TrancheOrderVoided"), N_("pending"), N_("Reversed"), N_("TrancheReversed"),
    N_("PaymentReversed"), N_("RepaymentReversed"), N_("RecoveryReversed"), N_("ClaimWithdrawn"),
    N_("Accepted"), N_("AwardRecorded"), N_("ChangeConfirmed"), N_("ChangeProposed"), N_("ChangeWithdrawn"),
    N_("ClassifiedNonPerforming"), N_("CompensationApproved"), N_("CompensationClaimed"), N_("CompensationPaid"),
    N_("Created"), N_("DebtRepaid"), N_("DebtWrittenOff"), N_("Disposed"), N_("ExternalRecorded"),
    N_("InterestAccrued"), N_("Invested"), N_("InvestmentDescribed"), N_("Issued"), N_("KeyRevoked"),
    N_("KeyRotated"), N_("LossDeclared"), N_("OfficerAdded"), N_("Opened"), N_("PlaceReleased"),
    N_("ProjectFailed"), N_("ProjectFollowed"), N_("QualificationExpired"), N_("QualificationGranted"),
    N_("ReassignedIn"), N_("ReassignedOut"), N_("Repaid"), N_("Repurchased"), N_("Revised"), N_("RoleChanged"),
    # payment operations (`payment pending`, trail details)
    N_("grant.disburse"), N_("project.tranche"), N_("project.buyback"), N_("loan.pay"), N_("loan.repay"),
    N_("loan.recover"),
    N_("StageRecorded"), N_("StakeReceived"), N_("Transferred"), N_("WrittenOff"),
)

# Basis words (codes an officer may type in Chinese, domain/aliases.py) shown inside derivation steps
BASIS_WORDS = (
    N_("national"), N_("provincial"), N_("municipal"), N_("factory"), N_("office"), N_("academician"),
    N_("national leader"), N_("doctoral"), N_("doctorate"), N_("master"), N_("China"), N_("Shanxi"),
    N_("provincial specialised"), N_("provincial little giant"), N_("national little giant"),
)

# Lines of `audit trail` kept as text in the read model, shown translated (i18n.retranslate).
TRAIL_LINES = (
    N_("journal: {legs}"), N_("Dr {account} {amount}"), N_("Cr {account} {amount}"),
    N_("{clause}: {event} {amount} ({detail})"), N_("{event} {amount} ({detail})"),
    N_("{clause}: {event} {amount}"), N_("{event} {amount}"),
    N_("request {kind}: {summary}"),
    # field names in a trail line's details
    N_("award_id"), N_("party"), N_("project"), N_("lot"), N_("buyer"), N_("payer"), N_("investor"),
    N_("reference"), N_("operation"), N_("voucher"),
)
