//! OpenStack's APIs as onboarding uses them: Keystone v3 (domains, projects, users, role
//! assignments, application credentials, EC2 credentials, unified limits, `/v3/s3tokens`)
//! and Nova's `os-quota-sets`, found through Keystone's catalog.
//!
//! Every `ensure_*` call is idempotent: it finds the object by name first and creates it only
//! when it is missing, and a `409 Conflict` from a concurrent creator counts as found.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Why an OpenStack call failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenStackError {
    /// The service could not be reached or failed on its side: worth trying again.
    #[error("{0} is unreachable: {1}")]
    Unreachable(String, String),
    /// The service refused the call.
    #[error("{method} {path} answered {status}: {body}")]
    Refused {
        method: Method,
        path: String,
        status: StatusCode,
        body: String,
    },
    /// The answer was not what the API documents.
    #[error("unexpected answer from {0}: {1}")]
    Unexpected(String, String),
}

impl OpenStackError {
    /// Whether trying again later may help: the service was down, overloaded or failing.
    pub fn is_transient(&self) -> bool {
        match self {
            OpenStackError::Unreachable(..) => true,
            OpenStackError::Refused { status, .. } => {
                status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS
            }
            OpenStackError::Unexpected(..) => false,
        }
    }

    fn status(&self) -> Option<StatusCode> {
        match self {
            OpenStackError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

type Result<T, E = OpenStackError> = std::result::Result<T, E>;

/// The administrator Varde acts as (a project-scoped token with `admin`).
#[derive(Clone, Debug)]
pub struct AdminCredentials {
    pub user: String,
    pub password: String,
    pub project: String,
    pub user_domain_id: String,
    pub project_domain_id: String,
}

/// A Keystone v3 endpoint and the administrator's credentials.
pub struct Keystone {
    http: reqwest::Client,
    /// Ends in `/v3`.
    url: String,
    admin: AdminCredentials,
    pub region: String,
    token: Mutex<Option<(String, Value, Instant)>>,
}

/// An object's id and whether this call created it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ensured {
    pub id: String,
    pub created: bool,
}

/// Nova's quota names and values (`os-quota-sets`).
pub type QuotaSet = Vec<(String, i64)>;

impl Keystone {
    pub fn new(url: &str, admin: AdminCredentials, region: &str) -> Result<Keystone> {
        crate::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| OpenStackError::Unexpected("keystone".into(), e.to_string()))?;
        let url = url.trim_end_matches('/');
        let url = if url.ends_with("/v3") {
            url.to_string()
        } else {
            format!("{url}/v3")
        };
        Ok(Keystone {
            http,
            url,
            admin,
            region: region.to_string(),
            token: Mutex::new(None),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// One call: gives the status, the `X-Subject-Token` header and the JSON body (or Null).
    async fn call(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Option<String>, Value)> {
        let mut req = self.http.request(method.clone(), url);
        if let Some(t) = token {
            req = req.header("X-Auth-Token", t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| OpenStackError::Unreachable(host_of(url), e.to_string()))?;
        let status = resp.status();
        let subject = resp
            .headers()
            .get("X-Subject-Token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = resp
            .text()
            .await
            .map_err(|e| OpenStackError::Unreachable(host_of(url), e.to_string()))?;
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_client_error() || status.is_server_error() {
            let message = value["error"]["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| text.chars().take(300).collect());
            return Err(OpenStackError::Refused {
                method,
                path: url.to_string(),
                status,
                body: message,
            });
        }
        Ok((status, subject, value))
    }

    /// An admin call to a Keystone path (after `/v3`).
    /// A token Keystone no longer honours (revoked, or its keys rotated) is dropped and the
    /// call made once more with a fresh one.
    async fn admin(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        let url = format!("{}{path}", self.url);
        let token = self.admin_token().await?;
        match self.call(method.clone(), &url, Some(&token), body).await {
            Err(e) if e.status() == Some(StatusCode::UNAUTHORIZED) && path != "/s3tokens" => {
                *self.token.lock().expect("token lock") = None;
                let token = self.admin_token().await?;
                Ok(self.call(method, &url, Some(&token), body).await?.2)
            }
            other => Ok(other?.2),
        }
    }

    /// The administrator's token, reused for 50 minutes (Keystone's last an hour).
    pub async fn admin_token(&self) -> Result<String> {
        if let Some((t, _, at)) = self.token.lock().expect("token lock").as_ref()
            && at.elapsed() < Duration::from_secs(50 * 60)
        {
            return Ok(t.clone());
        }
        let a = &self.admin;
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": a.user, "domain": {"id": a.user_domain_id}, "password": a.password}}},
            "scope": {"project": {"name": a.project, "domain": {"id": a.project_domain_id}}}}});
        let (token, value) = self.issue(&body).await?;
        *self.token.lock().expect("token lock") = Some((token.clone(), value, Instant::now()));
        Ok(token)
    }

    /// Issues a token; gives it and the token body.
    async fn issue(&self, body: &Value) -> Result<(String, Value)> {
        let url = format!("{}/auth/tokens", self.url);
        let (_, subject, value) = self.call(Method::POST, &url, None, Some(body)).await?;
        let token = subject.ok_or_else(|| {
            OpenStackError::Unexpected(host_of(&url), "no X-Subject-Token".into())
        })?;
        Ok((token, value))
    }

    /// A token for a user with their password, scoped to a project.
    pub async fn user_token(
        &self,
        user_id: &str,
        password: &str,
        project_id: &str,
    ) -> Result<String> {
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"id": user_id, "password": password}}},
            "scope": {"project": {"id": project_id}}}});
        Ok(self.issue(&body).await?.0)
    }

    /// Logs in with an application credential; gives the project id of the token.
    pub async fn application_credential_login(&self, id: &str, secret: &str) -> Result<String> {
        let body = json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"id": id, "secret": secret}}}});
        let (_, value) = self.issue(&body).await?;
        value["token"]["project"]["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| {
                OpenStackError::Unexpected(self.url.clone(), "a token without a project".into())
            })
    }

    /// Finds one object by name in a listing (`GET /v3/{collection}?name=…&…`).
    async fn find(&self, collection: &str, query: &[(&str, &str)]) -> Result<Option<Value>> {
        let qs: Vec<String> = query
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                )
            })
            .collect();
        let list = self
            .admin(
                Method::GET,
                &format!("/{collection}?{}", qs.join("&")),
                None,
            )
            .await?;
        Ok(list[collection].as_array().and_then(|a| a.first()).cloned())
    }

    async fn ensure(
        &self,
        collection: &str,
        singular: &str,
        query: &[(&str, &str)],
        create: Value,
    ) -> Result<Ensured> {
        if let Some(found) = self.find(collection, query).await? {
            return Ok(Ensured {
                id: id_of(&found)?,
                created: false,
            });
        }
        match self
            .admin(
                Method::POST,
                &format!("/{collection}"),
                Some(&json!({ singular: create })),
            )
            .await
        {
            Ok(v) => Ok(Ensured {
                id: id_of(&v[singular])?,
                created: true,
            }),
            Err(e) if e.status() == Some(StatusCode::CONFLICT) => {
                let found = self.find(collection, query).await?.ok_or(e)?;
                Ok(Ensured {
                    id: id_of(&found)?,
                    created: false,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The domain called `name`, created (enabled) if missing.
    pub async fn ensure_domain(&self, name: &str, description: &str) -> Result<Ensured> {
        self.ensure(
            "domains",
            "domain",
            &[("name", name)],
            json!({"name": name, "description": description, "enabled": true}),
        )
        .await
    }

    /// The id of the domain called `name`, if there is one.
    pub async fn find_domain(&self, name: &str) -> Result<Option<String>> {
        self.find("domains", &[("name", name)])
            .await?
            .map(|d| id_of(&d))
            .transpose()
    }

    /// A domain by id, or None.
    pub async fn domain(&self, id: &str) -> Result<Option<Value>> {
        self.get_optional(&format!("/domains/{id}"), "domain").await
    }

    async fn get_optional(&self, path: &str, key: &str) -> Result<Option<Value>> {
        match self.admin(Method::GET, path, None).await {
            Ok(v) => Ok(Some(v[key].clone())),
            Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Enables or disables a domain (a disabled domain's users cannot log in).
    pub async fn set_domain_enabled(&self, id: &str, enabled: bool) -> Result<()> {
        self.admin(
            Method::PATCH,
            &format!("/domains/{id}"),
            Some(&json!({"domain": {"enabled": enabled}})),
        )
        .await
        .map(|_| ())
    }

    /// Deletes a (disabled) domain and, with it, its projects, users and credentials.
    /// Deleting one that is gone already is done.
    pub async fn delete_domain(&self, id: &str) -> Result<()> {
        match self
            .admin(Method::DELETE, &format!("/domains/{id}"), None)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub async fn ensure_project(
        &self,
        domain_id: &str,
        name: &str,
        description: &str,
    ) -> Result<Ensured> {
        self.ensure("projects", "project", &[("name", name), ("domain_id", domain_id)],
            json!({"name": name, "domain_id": domain_id, "description": description, "enabled": true})).await
    }

    pub async fn project(&self, id: &str) -> Result<Option<Value>> {
        self.get_optional(&format!("/projects/{id}"), "project")
            .await
    }

    /// The user called `name` in the domain; created if missing. With a password, the user
    /// gets it (so the one Varde keeps is the one that works); without one, an existing
    /// user's password is left alone.
    pub async fn ensure_user(
        &self,
        domain_id: &str,
        name: &str,
        email: &str,
        password: Option<&str>,
        default_project: &str,
    ) -> Result<Ensured> {
        let mut user = json!({"name": name, "domain_id": domain_id, "email": email,
                   "default_project_id": default_project, "enabled": true});
        if let Some(p) = password {
            user["password"] = json!(p);
        }
        let ensured = self
            .ensure(
                "users",
                "user",
                &[("name", name), ("domain_id", domain_id)],
                user,
            )
            .await?;
        if !ensured.created
            && let Some(p) = password
        {
            self.admin(
                Method::PATCH,
                &format!("/users/{}", ensured.id),
                Some(&json!({"user": {"password": p, "enabled": true}})),
            )
            .await?;
        }
        Ok(ensured)
    }

    /// A role's id by name (`member`, `reader`, …).
    pub async fn role_id(&self, name: &str) -> Result<String> {
        let role = self
            .find("roles", &[("name", name)])
            .await?
            .ok_or_else(|| {
                OpenStackError::Unexpected(self.url.clone(), format!("no role called {name}"))
            })?;
        id_of(&role)
    }

    /// Gives a user a role on a project (idempotent in Keystone: `204` every time).
    pub async fn assign_role(&self, project: &str, user: &str, role: &str) -> Result<()> {
        self.admin(
            Method::PUT,
            &format!("/projects/{project}/users/{user}/roles/{role}"),
            None,
        )
        .await
        .map(|_| ())
    }

    /// Whether a user has a role on a project (`HEAD`, `204` or `404`).
    pub async fn has_role(&self, project: &str, user: &str, role: &str) -> Result<bool> {
        match self
            .admin(
                Method::HEAD,
                &format!("/projects/{project}/users/{user}/roles/{role}"),
                None,
            )
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The ids of a user's application credentials called `name`, listed as the user.
    pub async fn application_credentials(
        &self,
        user: &str,
        user_token: &str,
        name: &str,
    ) -> Result<Vec<String>> {
        let url = format!(
            "{}/users/{user}/application_credentials?name={name}",
            self.url
        );
        let (_, _, v) = self.call(Method::GET, &url, Some(user_token), None).await?;
        v["application_credentials"]
            .as_array()
            .map(|a| a.iter().map(id_of).collect())
            .unwrap_or_else(|| Ok(Vec::new()))
    }

    /// Creates an application credential as the user (Keystone lets nobody else); gives its
    /// id and the secret, which Keystone shows this once.
    pub async fn create_application_credential(
        &self,
        user: &str,
        user_token: &str,
        name: &str,
        role: &str,
    ) -> Result<(String, String)> {
        let url = format!("{}/users/{user}/application_credentials", self.url);
        let body = json!({"application_credential": {"name": name,
            "description": "Made by Varde at onboarding", "roles": [{"name": role}], "unrestricted": false}});
        let (_, _, v) = self
            .call(Method::POST, &url, Some(user_token), Some(&body))
            .await?;
        let ac = &v["application_credential"];
        let secret = ac["secret"].as_str().ok_or_else(|| {
            OpenStackError::Unexpected(
                self.url.clone(),
                "an application credential without its secret".into(),
            )
        })?;
        Ok((id_of(ac)?, secret.to_string()))
    }

    pub async fn delete_application_credential(
        &self,
        user: &str,
        user_token: &str,
        id: &str,
    ) -> Result<()> {
        let url = format!("{}/users/{user}/application_credentials/{id}", self.url);
        match self
            .call(Method::DELETE, &url, Some(user_token), None)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Makes an EC2 credential with keys Varde chose; the same access key again is a
    /// `409`, which counts as done (its id is the SHA-256 of the access key).
    pub async fn ensure_ec2_credential(
        &self,
        user: &str,
        project: &str,
        access: &str,
        secret: &str,
    ) -> Result<bool> {
        let blob = json!({"access": access, "secret": secret}).to_string();
        let body = json!({"credential": {"type": "ec2", "user_id": user, "project_id": project, "blob": blob}});
        match self.admin(Method::POST, "/credentials", Some(&body)).await {
            Ok(_) => Ok(true),
            Err(e) if e.status() == Some(StatusCode::CONFLICT) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The access keys of a user's EC2 credentials.
    pub async fn ec2_access_keys(&self, user: &str) -> Result<Vec<String>> {
        let v = self
            .admin(
                Method::GET,
                &format!("/credentials?user_id={user}&type=ec2"),
                None,
            )
            .await?;
        Ok(v["credentials"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["blob"].as_str())
            .filter_map(|b| serde_json::from_str::<Value>(b).ok())
            .filter_map(|b| b["access"].as_str().map(str::to_string))
            .collect())
    }

    /// Checks an S3 key pair the way Ceph RGW does: signs a request with the secret (S3
    /// signature v2) and asks `/v3/s3tokens` as a service. Gives the project the key
    /// belongs to, or None when Keystone refuses the signature.
    pub async fn s3_check(&self, access: &str, secret: &str) -> Result<Option<String>> {
        let string_to_sign = "GET\n\n\nMon, 01 Jan 2024 00:00:00 GMT\n/varde-onboarding/check";
        let key =
            ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
        let signature = base64::engine::general_purpose::STANDARD
            .encode(ring::hmac::sign(&key, string_to_sign.as_bytes()).as_ref());
        let token = base64::engine::general_purpose::URL_SAFE.encode(string_to_sign);
        let body =
            json!({"credentials": {"access": access, "token": token, "signature": signature}});
        match self.admin(Method::POST, "/s3tokens", Some(&body)).await {
            Ok(v) => Ok(v["token"]["project"]["id"].as_str().map(str::to_string)),
            Err(e) if e.status() == Some(StatusCode::UNAUTHORIZED) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The id of the catalog's service of a type (`compute`).
    pub async fn service_id(&self, kind: &str) -> Result<Option<String>> {
        self.find("services", &[("type", kind)])
            .await?
            .map(|s| id_of(&s))
            .transpose()
    }

    /// The URL of a service's public endpoint in our region, from the admin token's catalog.
    pub async fn endpoint(&self, kind: &str) -> Result<Option<String>> {
        self.admin_token().await?;
        let guard = self.token.lock().expect("token lock");
        let catalog = guard
            .as_ref()
            .map(|(_, v, _)| v["token"]["catalog"].clone())
            .unwrap_or(Value::Null);
        Ok(catalog
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["type"] == kind)
            .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
            .find(|e| {
                e["interface"] == "public"
                    && (e["region_id"] == self.region.as_str() || e["region_id"].is_null())
            })
            .and_then(|e| {
                e["url"]
                    .as_str()
                    .map(|u| u.trim_end_matches('/').to_string())
            }))
    }

    /// Sets a project's unified limits (`/v3/limits`) for a service: registers a default
    /// (`registered_limits`, which a project limit needs) where none exists, then creates
    /// or changes each project limit.
    pub async fn set_limits(
        &self,
        service: &str,
        project: &str,
        limits: &[(String, i64)],
        default: i64,
    ) -> Result<()> {
        let region = self.region.clone();
        for (resource, value) in limits {
            let registered = self
                .find(
                    "registered_limits",
                    &[
                        ("service_id", service),
                        ("resource_name", resource),
                        ("region_id", &region),
                    ],
                )
                .await?;
            if registered.is_none() {
                let body = json!({"registered_limits": [{"service_id": service, "region_id": region,
                    "resource_name": resource, "default_limit": default}]});
                match self
                    .admin(Method::POST, "/registered_limits", Some(&body))
                    .await
                {
                    Ok(_) => {}
                    Err(e) if e.status() == Some(StatusCode::CONFLICT) => {}
                    Err(e) => return Err(e),
                }
            }
            let existing = self
                .find(
                    "limits",
                    &[
                        ("service_id", service),
                        ("project_id", project),
                        ("resource_name", resource),
                        ("region_id", &region),
                    ],
                )
                .await?;
            match existing {
                Some(l) if l["resource_limit"].as_i64() == Some(*value) => {}
                Some(l) => {
                    self.admin(
                        Method::PATCH,
                        &format!("/limits/{}", id_of(&l)?),
                        Some(&json!({"limit": {"resource_limit": value}})),
                    )
                    .await?;
                }
                None => {
                    let body = json!({"limits": [{"service_id": service, "project_id": project,
                        "region_id": region, "resource_name": resource, "resource_limit": value}]});
                    self.admin(Method::POST, "/limits", Some(&body)).await?;
                }
            }
        }
        Ok(())
    }

    /// A project's unified limits for a service, by resource name.
    pub async fn limits(&self, service: &str, project: &str) -> Result<Vec<(String, i64)>> {
        let v = self
            .admin(
                Method::GET,
                &format!("/limits?service_id={service}&project_id={project}"),
                None,
            )
            .await?;
        let mut out: Vec<(String, i64)> = v["limits"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| {
                Some((
                    l["resource_name"].as_str()?.to_string(),
                    l["resource_limit"].as_i64()?,
                ))
            })
            .collect();
        out.sort();
        Ok(out)
    }

    /// Sets a project's Nova quotas (`PUT {compute}/os-quota-sets/{project}`) and gives the
    /// quota set Nova answers with.
    pub async fn set_compute_quotas(
        &self,
        compute_url: &str,
        project: &str,
        quotas: &QuotaSet,
    ) -> Result<QuotaSet> {
        let set: serde_json::Map<String, Value> =
            quotas.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        self.compute(
            Method::PUT,
            compute_url,
            project,
            Some(&json!({"quota_set": set})),
        )
        .await
    }

    /// A project's Nova quotas.
    pub async fn compute_quotas(&self, compute_url: &str, project: &str) -> Result<QuotaSet> {
        self.compute(Method::GET, compute_url, project, None).await
    }

    /// One `os-quota-sets` call. When Nova cannot be reached, the cached token goes too, so
    /// the next attempt reads the catalog afresh (the endpoint may have moved).
    async fn compute(
        &self,
        method: Method,
        compute_url: &str,
        project: &str,
        body: Option<&Value>,
    ) -> Result<QuotaSet> {
        let token = self.admin_token().await?;
        let url = format!("{compute_url}/os-quota-sets/{project}");
        match self.call(method, &url, Some(&token), body).await {
            Ok((_, _, v)) => Ok(quota_set(&v)),
            Err(e) => {
                if matches!(e, OpenStackError::Unreachable(..)) {
                    *self.token.lock().expect("token lock") = None;
                }
                Err(e)
            }
        }
    }
}

fn quota_set(v: &Value) -> QuotaSet {
    let mut out: QuotaSet = v["quota_set"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_i64().map(|n| (k.clone(), n)))
        .collect();
    out.sort();
    out
}

fn id_of(v: &Value) -> Result<String> {
    v["id"].as_str().map(str::to_string).ok_or_else(|| {
        OpenStackError::Unexpected("keystone".into(), format!("an object without an id: {v}"))
    })
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_else(|| url.to_string())
}
