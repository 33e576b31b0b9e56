//! The `varde` binary: parses the command line and wires the store, the web server and the
//! commands together. Everything it does is done by the library crates.
//!
//! - [`cli`]: the commands and options;
//! - [`serve`]: `varde serve` and `varde demo`, the server with its workers;
//! - [`commands`]: accounts, tokens, import, export and the report;
//! - [`import_rt`]: `varde import-rt`, with its progress bar and summary;
//! - [`mailgate`]: `varde mailgate`, RT's `rt-mailgate` in Varde's own binary;
//! - [`demo`]: the demo data.

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use serve::{ServeOptions, host_name, serve};

/// The process's allocator. glibc's raises its thresholds for giving memory back after one
/// large block is freed (a password hash's 19 MiB), and then keeps what every thread freed:
/// the demo grew from 120 to 208 MiB as its pages were opened, and sat at 140 MiB after its
/// start. mimalloc gives freed memory back (`docs/BENCHMARKS.md`, issue 20).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod commands;
mod demo;
mod import_rt;
mod mailgate;
mod serve;

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            store,
            secure_cookies,
            rtname,
            mail,
            status,
            onboarding,
        } => {
            let options = ServeOptions {
                listen: store.listen,
                secure_cookies,
                rtname,
                mail,
                status,
                onboarding,
            };
            serve(store.open("./varde-data").await?, options).await
        }
        Command::Migrate { store } => {
            let s = store.open("./varde-data").await?;
            println!("migrations applied ({} database)", s.engine());
            s.close().await;
            Ok(())
        }
        Command::Demo {
            store,
            rtname,
            mail,
            status,
            onboarding,
        } => {
            let s = store.open("./varde-data").await?;
            let rtname = rtname.unwrap_or_else(host_name);
            if s.count_organizations().await? == 0 {
                demo::seed(&s, jiff::Timestamp::now()).await?;
                demo::seed_mail(&s, &rtname, jiff::Timestamp::now()).await?;
                demo::seed_workspace(&s, &rtname, jiff::Timestamp::now()).await?;
                let base = (status.public_url.clone())
                    .unwrap_or_else(|| format!("http://{}", store.listen));
                demo::seed_colleagues(&s, &base, jiff::Timestamp::now()).await?;
            }
            demo::print_logins(store.listen);
            let options = ServeOptions {
                listen: store.listen,
                secure_cookies: false,
                rtname: Some(rtname),
                mail,
                status,
                onboarding,
            };
            serve(s, options).await
        }
        Command::User { command } => commands::user(command).await,
        Command::Token { command } => commands::token(command).await,
        Command::Import {
            kind,
            file,
            dry_run,
            partial,
            actor,
            store,
        } => commands::import(&kind, &file, dry_run, partial, actor, &store).await,
        Command::Mailgate {
            queue,
            action,
            ticket,
            url,
            rtname,
            store,
        } => {
            let rtname = rtname.unwrap_or_else(host_name);
            mailgate::run(&queue, &action, ticket, url.as_deref(), &rtname, store).await
        }
        Command::Report {
            org,
            quarter,
            format,
            output,
            store,
        } => commands::report(&org, quarter, &format, output, &store).await,
        Command::Export { kind, store } => commands::export(&kind, &store).await,
        Command::Backup { output, store } => commands::backup(&output, &store).await,
        Command::Restore {
            file,
            replace,
            store,
        } => commands::restore(&file, replace, &store).await,
        Command::Check { store } => commands::check(&store).await,
        Command::ImportRt {
            from,
            rtname,
            dry_run,
            batch,
            store,
        } => {
            let options = varde_app::import_rt::ImportOptions {
                from,
                rtname,
                dry_run,
                batch,
            };
            import_rt::run(options, &store).await
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    varde_notify::install_tls_provider();
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VARDE_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
