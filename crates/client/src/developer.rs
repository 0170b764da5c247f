//! The Developer API's handle: one developer key, sent with every call. What it does with
//! each resource is in `memories`, `conversations` and `action_items`.

use omi_api::ApiError;
use omi_model::ApiKey;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::{Request, is_sendable_segment};
use crate::{Client, Error};

/// The Developer API, called with one developer key: memories, conversations and action
/// items.
///
/// Every route is an inherent method, listed below, so no trait needs importing; the same
/// calls make its implementations of `DeveloperMemories`, `DeveloperConversations` and
/// `DeveloperActionItems`, for code generic over the transport. Each list is also a stream
/// (`*_stream`), and [`wait_until_processed`](Self::wait_until_processed) waits for a new
/// conversation to be processed.
///
/// ```no_run
/// use omi_client::Client;
/// use omi_client::model::CreateMemoryRequest;
///
/// # async fn run() -> Result<(), omi_client::Error> {
/// let client = Client::new("http://127.0.0.1:8080")?;
/// let dev = client.developer("omi_dev_0123456789abcdef0123456789abcdef");
/// let memory = dev.create_memory(CreateMemoryRequest::new("User prefers dark mode")).await?;
/// println!("{} {:?}", memory.id, memory.category);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct DeveloperClient {
    client: Client,
    key: ApiKey,
}

impl DeveloperClient {
    pub(crate) fn new(client: Client, key: ApiKey) -> Self {
        Self { client, key }
    }

    /// The client it calls with.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Its key.
    pub(crate) fn api_key(&self) -> &ApiKey {
        &self.key
    }

    pub(crate) async fn call<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&'static str, String)],
        body: Option<&B>,
    ) -> Result<T, Error> {
        self.client
            .call(Request {
                method,
                path,
                query,
                key: &self.key,
                body,
            })
            .await
    }

    /// A call on one record of `collection`. An id that cannot be sent as a path segment
    /// (empty, `.` or `..`) is no record's id: it is answered here as the server answers an
    /// unknown id, 404 with `not_found`, without a request (so the key is not checked).
    pub(crate) async fn call_item<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        collection: &[&str],
        (id, not_found): (&str, &str),
        query: &[(&'static str, String)],
        body: Option<&B>,
    ) -> Result<T, Error> {
        self.call_item_at(method, collection, (id, not_found), &[], query, body)
            .await
    }

    /// [`call_item`](Self::call_item) on a resource under the record: `collection/id/suffix...`.
    pub(crate) async fn call_item_at<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        method: Method,
        collection: &[&str],
        (id, not_found): (&str, &str),
        suffix: &[&str],
        query: &[(&'static str, String)],
        body: Option<&B>,
    ) -> Result<T, Error> {
        if !is_sendable_segment(id) {
            return Err(Error::Api(ApiError::not_found(not_found)));
        }
        let mut path = collection.to_vec();
        path.push(id);
        path.extend_from_slice(suffix);
        self.call(method, &path, query, body).await
    }
}
