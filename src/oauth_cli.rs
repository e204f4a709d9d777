//! `carmine oauth …`: OAuth applications from the command line, for a server whose
//! administration extension is off, or before any administrator has a key.

use clap::Subcommand;

use crate::domain::oauth::{checked_application, random_token};
use crate::store::oauth::{self as store, NewApplication};
use crate::store::Db;

#[derive(Subcommand)]
pub enum OauthAction {
    /// List the registered applications
    List,
    /// Register an application; prints its client id and secret (shown this once)
    Create {
        #[arg(long)]
        name: String,
        /// Redirect URIs, separated by spaces or new lines
        #[arg(long)]
        redirect_uri: String,
        /// Permission names the application may ask for, space-separated (`admin` too);
        /// the public permissions are always included
        #[arg(long, default_value = "")]
        scopes: String,
        /// A public client (a native or browser app that cannot keep a secret; PKCE is
        /// required of it)
        #[arg(long)]
        public: bool,
    },
    /// Give an application a new secret (the old one stops working)
    Secret { id: i64 },
    /// Delete an application with its tokens
    Delete { id: i64 },
}

pub async fn run(db: &Db, action: &OauthAction) -> anyhow::Result<()> {
    match action {
        OauthAction::List => {
            for a in store::applications(db).await? {
                let kind = if a.confidential {
                    "confidential"
                } else {
                    "public"
                };
                println!(
                    "{}\t{}\tclient_id={}\t{kind}\tscopes={}\tredirect_uri={}",
                    a.id,
                    a.name,
                    a.uid,
                    a.scopes,
                    a.redirect_uri.replace('\n', " ")
                );
            }
        }
        OauthAction::Create {
            name,
            redirect_uri,
            scopes,
            public,
        } => {
            let (redirect_uri, scopes) = checked_application(name, redirect_uri, scopes)
                .map_err(|e| anyhow::anyhow!(e.join("; ")))?;
            let secret = random_token();
            let new = NewApplication {
                name: name.clone(),
                uid: random_token(),
                secret_hash: crate::domain::password::hash(&secret),
                redirect_uri,
                scopes,
                confidential: !public,
            };
            let id = store::create_application(db, &new).await?;
            println!("id:            {id}");
            println!("client_id:     {}", new.uid);
            println!("client_secret: {secret}");
        }
        OauthAction::Secret { id } => {
            store::application(db, *id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no application {id}"))?;
            let secret = random_token();
            store::set_secret(db, *id, &crate::domain::password::hash(&secret)).await?;
            println!("client_secret: {secret}");
        }
        OauthAction::Delete { id } => {
            store::application(db, *id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no application {id}"))?;
            store::delete_application(db, *id).await?;
            println!("deleted application {id}");
        }
    }
    Ok(())
}
