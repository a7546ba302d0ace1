//! The frame of every signed-in page, and the sign-in page.
//!
//! Pages load nothing from elsewhere and run no script: one inline
//! stylesheet, plain links and forms. Every form that changes something is
//! a POST with the session's CSRF value in a hidden field named `csrf`.

use maud::{html, Markup, DOCTYPE};

use super::PageContext;

/// The one stylesheet, inline so that the page needs no other request.
pub(super) const STYLE: &str = "\
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}\
header{display:flex;flex-wrap:wrap;gap:1em;align-items:center;padding:.6em 1.2em;background:#1d2330;color:#fff}\
header a{color:#fff;text-decoration:none;margin-right:1em}header a:hover{text-decoration:underline}\
header .who{margin-left:auto}header form{display:inline;margin:0}\
main{padding:1em 1.2em;max-width:80em}\
section{background:#fff;border:1px solid #dde1e7;border-radius:4px;padding:.6em 1em;margin:0 0 1em}\
table{border-collapse:collapse;margin:.4em 0}th,td{padding:.2em .6em;border-bottom:1px solid #e4e7ec;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.flash{background:#e8f4ea;border:1px solid #9fd0a8;padding:.4em .8em}\
.error{background:#fbeaea;border:1px solid #e3a3a3;padding:.4em .8em}\
.down{color:#a61b1b;font-weight:600}.up{color:#1b6e2a}\
.figures{display:flex;flex-wrap:wrap;gap:1.5em}.figure{min-width:9em}\
.figure strong{display:block;font-size:1.6em}\
form.inline{display:inline-flex;gap:.3em;margin:.1em 0}\
textarea{width:100%;min-height:12em;font-family:monospace}\
pre{background:#f0f2f5;padding:.5em;overflow:auto}\
svg{max-width:100%;height:auto}";

/// Wraps a page body in the document, the header with navigation, the
/// signed-in user and role, the sign-out form and the flash line.
pub fn layout(ctx: &PageContext, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Wharf" }
                style { (STYLE) }
            }
            body {
                header {
                    strong { "Wharf" }
                    nav {
                        a href="/business" { "Business" }
                        a href="/technical" { "Technical" }
                        a href="/exceptions" { "Exceptions" }
                        a href="/trace" { "Trace" }
                    }
                    span.who {
                        (ctx.user) " (" (ctx.role)
                        @if let Some(site) = &ctx.site { ", site " (site) }
                        ") "
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(ctx.csrf);
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main {
                    @if let Some(flash) = &ctx.flash {
                        p.flash role="status" { (flash) }
                    }
                    (body)
                }
            }
        }
    }
}

/// Renders the sign-in page: a form that posts an access token to `/login`.
pub fn sign_in(error: Option<&str>, csrf: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Sign in · Wharf" }
                style { (STYLE) }
            }
            body {
                main {
                    h1 { "Sign in to Wharf" }
                    @if let Some(error) = error {
                        p.error role="alert" { (error) }
                    }
                    form method="post" action="/login" {
                        input type="hidden" name="csrf" value=(csrf);
                        p {
                            label for="token" { "Access token" }
                            br;
                            input #token type="password" name="token" required autocomplete="off" size="48";
                        }
                        p { button type="submit" { "Sign in" } }
                    }
                    p { "An admin creates tokens with " code { "wharf token create --role viewer" } "." }
                }
            }
        }
    }
}

/// Renders a page that explains why a dashboard request failed, with a
/// way back.
pub fn problem(message: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Not done · Wharf" }
                style { (STYLE) }
            }
            body {
                main {
                    h1 { "Not done" }
                    p.error role="alert" { (message) }
                    p { a href="/exceptions" { "Back to the exceptions" } " · " a href="/business" { "Business health" } }
                }
            }
        }
    }
}
