//! Users, apps, their keys and enablements, and developer keys; and [`Store`] itself (the
//! ping).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::Uid;

use super::{Arg, Backend, Dialect, read};
use crate::store::rows::{AppKeyRow, AppRow, DevKeyRow, comma_list, map_err};
use crate::store::{
    AppKeyRecord, AppRecord, CredentialStore, DevKeyRecord, Store, StoreResult, to_micros,
};

#[async_trait]
impl<B: Backend> Store for B {
    async fn ping(&self) -> StoreResult<()> {
        self.check_writer()?;
        sqlx::query::<B::Db>("SELECT 1")
            .execute(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

#[async_trait]
impl<B: Backend> CredentialStore for B {
    async fn create_user(&self, uid: &Uid, now: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query::<B::Db>(
            "INSERT INTO users (uid, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .arg(uid.as_str())
        .arg(to_micros(now))
        .execute(B::Db::on_pool(self.writer()))
        .await
        .map_err(map_err)?;
        Ok(B::Db::rows_affected(&done) == 1)
    }

    async fn user_exists(&self, uid: &Uid) -> StoreResult<bool> {
        let row = sqlx::query::<B::Db>("SELECT 1 FROM users WHERE uid = $1")
            .arg(uid.as_str())
            .fetch_optional(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        Ok(row.is_some())
    }

    async fn create_app(&self, app: &AppRecord) -> StoreResult<()> {
        sqlx::query::<B::Db>(
            "INSERT INTO apps (id, name, capabilities, created_at) VALUES ($1, $2, $3, $4)",
        )
        .arg(app.id.as_str())
        .arg(app.name.as_str())
        .arg(comma_list(&app.capabilities))
        .arg(to_micros(app.created_at))
        .execute(B::Db::on_pool(self.writer()))
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn app(&self, app_id: &str) -> StoreResult<Option<AppRecord>> {
        let row = sqlx::query::<B::Db>("SELECT * FROM apps WHERE id = $1")
            .arg(app_id)
            .fetch_optional(B::Db::on_pool(self.readers()))
            .await
            .map_err(map_err)?;
        row.map(|r| Ok(read::<B::Db, AppRow>(&r)?.into_app()))
            .transpose()
    }

    async fn create_app_key(&self, key: &AppKeyRecord) -> StoreResult<()> {
        sqlx::query::<B::Db>(
            "INSERT INTO app_keys (id, app_id, secret_hash, label, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .arg(key.id.as_str())
        .arg(key.app_id.as_str())
        .arg(key.secret_hash.as_str())
        .arg(key.label.as_str())
        .arg(to_micros(key.created_at))
        .execute(B::Db::on_pool(self.writer()))
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn app_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<AppKeyRecord>> {
        let row = sqlx::query::<B::Db>(
            "SELECT * FROM app_keys WHERE secret_hash = $1 AND revoked_at IS NULL",
        )
        .arg(secret_hash)
        .fetch_optional(B::Db::on_pool(self.readers()))
        .await
        .map_err(map_err)?;
        row.map(|r| Ok(read::<B::Db, AppKeyRow>(&r)?.into_key()))
            .transpose()
    }

    async fn set_app_enabled(
        &self,
        uid: &Uid,
        app_id: &str,
        enabled: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let query = if enabled {
            sqlx::query::<B::Db>(
                "INSERT INTO app_enablements (uid, app_id, enabled_at) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .arg(uid.as_str())
            .arg(app_id)
            .arg(to_micros(now))
        } else {
            sqlx::query::<B::Db>("DELETE FROM app_enablements WHERE uid = $1 AND app_id = $2")
                .arg(uid.as_str())
                .arg(app_id)
        };
        query
            .execute(B::Db::on_pool(self.writer()))
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn is_app_enabled(&self, uid: &Uid, app_id: &str) -> StoreResult<bool> {
        let row =
            sqlx::query::<B::Db>("SELECT 1 FROM app_enablements WHERE uid = $1 AND app_id = $2")
                .arg(uid.as_str())
                .arg(app_id)
                .fetch_optional(B::Db::on_pool(self.readers()))
                .await
                .map_err(map_err)?;
        Ok(row.is_some())
    }

    async fn create_dev_key(&self, key: &DevKeyRecord) -> StoreResult<()> {
        sqlx::query::<B::Db>(
            "INSERT INTO dev_keys (id, uid, secret_hash, label, scopes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .arg(key.id.as_str())
        .arg(key.uid.as_str())
        .arg(key.secret_hash.as_str())
        .arg(key.label.as_str())
        .arg(comma_list(&key.scopes))
        .arg(to_micros(key.created_at))
        .execute(B::Db::on_pool(self.writer()))
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn dev_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<DevKeyRecord>> {
        let row = sqlx::query::<B::Db>(
            "SELECT * FROM dev_keys WHERE secret_hash = $1 AND revoked_at IS NULL",
        )
        .arg(secret_hash)
        .fetch_optional(B::Db::on_pool(self.readers()))
        .await
        .map_err(map_err)?;
        row.map(|r| read::<B::Db, DevKeyRow>(&r)?.into_key())
            .transpose()
    }

    async fn touch_dev_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query::<B::Db>("UPDATE dev_keys SET last_used_at = $1 WHERE id = $2")
            .arg(to_micros(now))
            .arg(key_id)
            .execute(B::Db::on_pool(self.writer()))
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn revoke_key(&self, key_id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let mut revoked = 0;
        for sql in [
            "UPDATE app_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            "UPDATE dev_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        ] {
            let done = sqlx::query::<B::Db>(sql)
                .arg(to_micros(now))
                .arg(key_id)
                .execute(B::Db::on(&mut *tx))
                .await
                .map_err(map_err)?;
            revoked += B::Db::rows_affected(&done);
        }
        tx.commit().await.map_err(map_err)?;
        Ok(revoked > 0)
    }
}
