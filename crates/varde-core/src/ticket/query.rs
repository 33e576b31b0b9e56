//! The meaning of a TicketSQL query, independent of its text (parsed in `varde-rt`) and of the
//! SQL it becomes (compiled in `varde-store`).

/// A ticket attribute a query can test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    Id,
    EffectiveId,
    Subject,
    Status,
    Queue,
    Owner,
    Creator,
    LastUpdatedBy,
    Priority,
    InitialPriority,
    FinalPriority,
    TimeWorked,
    TimeEstimated,
    TimeLeft,
    Created,
    Starts,
    Started,
    Resolved,
    Due,
    Told,
    LastUpdated,
    /// `Requestor`, `Requestor.EmailAddress`, `Requestors`.
    Requestor,
    Cc,
    AdminCc,
    /// Any watcher role.
    Watcher,
    /// `CF.{Name}` or `CustomField.{Name}`.
    CustomField(String),
    /// Full text of subjects and messages.
    Content,
    /// The id of the ticket's organisation (Varde's own).
    Organization,
    /// Links of these kinds, to the ticket a value names: `DependsOn`, `DependedOnBy`,
    /// `RefersTo`, `ReferredToBy`, `MemberOf`, `HasMember`, or any of the base's
    /// (`LinkedTo`) or the target's (`LinkedFrom`) kinds.
    Link(Vec<super::LinkKind>),
}

impl Field {
    pub fn is_date(&self) -> bool {
        matches!(
            self,
            Field::Created
                | Field::Starts
                | Field::Started
                | Field::Resolved
                | Field::Due
                | Field::Told
                | Field::LastUpdated
        )
    }

    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Field::Id
                | Field::EffectiveId
                | Field::Priority
                | Field::InitialPriority
                | Field::FinalPriority
                | Field::TimeWorked
                | Field::TimeEstimated
                | Field::TimeLeft
                | Field::Organization
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
    NotLike,
    IsNull,
    IsNotNull,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Number(i64),
    Null,
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// Matches every ticket (an empty query).
    All,
    Condition {
        field: Field,
        op: Op,
        value: Value,
    },
    And(Box<Query>, Box<Query>),
    Or(Box<Query>, Box<Query>),
}
