//! Queues and the custom fields defined for them: staff read them; an administrator adds a
//! queue, changes or disables it and sets its fields (the console, `/api/v1`, RT's REST 1.0
//! and REST2 all come here).

use varde_core::access::{Action, Actor, Resource};
use varde_core::ticket::custom_fields::{self, CustomFieldDef};
use varde_core::ticket::queue::{QueueChange, QueueDetails, QueueForm};
use varde_store::tickets::{NumberedField, Queue};

use crate::{App, AppError, authorize};

/// A queue with the custom fields its tickets may carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueWithFields {
    pub queue: Queue,
    pub custom_fields: Vec<CustomFieldDef>,
}

fn details(q: &Queue) -> QueueDetails {
    QueueDetails {
        name: q.name.clone(),
        description: q.description.clone(),
        correspond_address: q.correspond_address.clone(),
        comment_address: q.comment_address.clone(),
    }
}

impl App {
    /// Every queue (the disabled ones too), each with its custom fields.
    pub async fn queues(&self, actor: &Actor) -> Result<Vec<QueueWithFields>, AppError> {
        authorize(actor, Action::Read, &Resource::QueueSettings)?;
        let mut fields = self.store.custom_fields().await?;
        fields.sort_by_key(|f| f.position);
        let queues = self.store.queues().await?;
        Ok(queues
            .into_iter()
            .map(|queue| QueueWithFields {
                custom_fields: fields
                    .iter()
                    .filter(|f| f.queue == queue.name)
                    .map(|f| f.def.clone())
                    .collect(),
                queue,
            })
            .collect())
    }

    /// One queue by name (any case) or number, with its custom fields.
    pub async fn queue(&self, actor: &Actor, key: &str) -> Result<QueueWithFields, AppError> {
        authorize(actor, Action::Read, &Resource::QueueSettings)?;
        let (queue, custom_fields) = self
            .store
            .queue_with_custom_fields(key)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(QueueWithFields {
            queue,
            custom_fields,
        })
    }

    /// Every queue's custom fields, each with its number (RT's clients name fields by it).
    pub async fn custom_fields(&self, actor: &Actor) -> Result<Vec<NumberedField>, AppError> {
        authorize(actor, Action::Read, &Resource::QueueSettings)?;
        Ok(self.store.custom_fields().await?)
    }

    /// An administrator adds a queue. A name already taken (in any case) is a conflict.
    pub async fn add_queue(&self, actor: &Actor, form: &QueueForm) -> Result<Queue, AppError> {
        authorize(actor, Action::Write, &Resource::QueueSettings)?;
        let d = form.parse().map_err(AppError::Invalid)?;
        Ok(self
            .store
            .create_queue(
                &d.name,
                &d.description,
                &d.correspond_address,
                &d.comment_address,
                self.now(),
            )
            .await?)
    }

    /// An administrator changes a queue's description or addresses, or disables or enables
    /// it (a disabled queue takes no new tickets; its tickets stay). A queue keeps its name.
    pub async fn change_queue(
        &self,
        actor: &Actor,
        key: &str,
        change: &QueueChange,
    ) -> Result<Queue, AppError> {
        authorize(actor, Action::Write, &Resource::QueueSettings)?;
        let queue = self.store.queue(key).await?.ok_or(AppError::NotFound)?;
        let after = change.apply(&details(&queue)).map_err(AppError::Invalid)?;
        let disabled = change.disabled.unwrap_or(queue.disabled);
        if after == details(&queue) && disabled == queue.disabled {
            return Ok(queue);
        }
        Ok(self.store.update_queue(queue.id, &after, disabled).await?)
    }

    /// An administrator replaces the custom fields of a queue (name and allowed values, in
    /// order). Values already on tickets stay.
    pub async fn set_queue_custom_fields(
        &self,
        actor: &Actor,
        key: &str,
        fields: Vec<(String, Vec<String>)>,
    ) -> Result<Vec<CustomFieldDef>, AppError> {
        authorize(actor, Action::Write, &Resource::QueueSettings)?;
        let queue = self.store.queue(key).await?.ok_or(AppError::NotFound)?;
        let defs = custom_fields::definitions(fields).map_err(AppError::Invalid)?;
        self.store
            .set_queue_custom_fields(&queue.name, &defs)
            .await?;
        Ok(defs)
    }
}
