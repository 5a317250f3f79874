//! `auth`: the credential table. A client's credential is
//! `pw-<client>` (the web-forum model's table, as a rule, so a load
//! generator's clients log in too).

use crate::proto::auth_server::Auth;
use crate::proto::{AuthenticateRequest, AuthenticateResponse};
use ldfi_protocols::web_forum::clients::password;
use tonic::{Request, Response, Status};

/// The authentication service (stateless: it derives nothing).
#[derive(Clone, Copy, Debug, Default)]
pub struct AuthSvc;

#[tonic::async_trait]
impl Auth for AuthSvc {
    async fn authenticate(
        &self,
        req: Request<AuthenticateRequest>,
    ) -> Result<Response<AuthenticateResponse>, Status> {
        let r = req.into_inner();
        let ok = r.credential == password(&r.client);
        Ok(Response::new(AuthenticateResponse {
            client: r.client,
            ok,
        }))
    }
}
