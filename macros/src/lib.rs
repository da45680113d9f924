//! Entry-point macros for the magpie runtime: `#[magpie::main]` and
//! `#[magpie::test]`. Use them through the `magpie` crate, which re-exports
//! them.
//!
//! Both turn an `async fn` into a plain function that builds a runtime and
//! blocks on the body. They take optional arguments:
//!
//! * `flavor = "multi_thread"` or `"current_thread"` — the runtime flavor.
//!   `main` defaults to `multi_thread`; `test` defaults to
//!   `current_thread` (as tokio's does), unless `worker_threads` is given:
//!   a test's tasks then run on the test's own thread, a task spawned by
//!   the test does not run until the test awaits (tests ported from tokio
//!   rely on that), and `spawn_local` works in the body;
//! * `worker_threads = N` — the number of worker threads of a multi-thread
//!   runtime (default: one per CPU); implies `flavor = "multi_thread"`;
//! * `start_paused = true` — build the runtime with its clock paused
//!   (`Builder::start_paused`; current-thread only);
//! * `seeds = N` (`test` only) — run the body under seeds `0..N`, each on a
//!   deterministic current-thread runtime (`runtime::explore`): the first
//!   failing seed is printed with the command that replays it
//!   (`MAGPIE_SEED=<seed> cargo test -- --exact <test>`);
//! * `crate = "path"` — where to find magpie if it was renamed.
//!
//! The function's body is passed through as the very tokens the user
//! wrote, so a compile error, a lint, a `panic!` or a `line!()` inside it
//! points at its own line, not at the attribute.
//!
//! Written against `proc_macro` alone (no `syn`), which is enough for the
//! one shape they accept: `[attributes] [pub] async fn name() [-> T] { .. }`.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Marks the `async fn main` of a program: builds a magpie runtime and
/// blocks on the body.
///
/// ```
/// #[magpie::main(worker_threads = 2)]
/// async fn main() {
///     let h = magpie::spawn(async { 1 });
///     assert_eq!(h.await.unwrap(), 1);
/// }
/// ```
///
/// expands to (give or take paths)
///
/// ```text
/// fn main() {
///     let body = async move {
///         let h = magpie::spawn(async { 1 });
///         assert_eq!(h.await.unwrap(), 1);
///     };
///     magpie::runtime::Builder::new_multi_thread()
///         .worker_threads(2)
///         .build()
///         .expect("failed to build the magpie runtime")
///         .block_on(body)
/// }
/// ```
///
/// The function may return a value, such as a `Result` for `?`:
///
/// ```
/// #[magpie::main]
/// async fn main() -> Result<(), magpie::task::JoinError> {
///     let n = magpie::spawn(async { 2 }).await?;
///     assert_eq!(n, 2);
///     Ok(())
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args, item, false).unwrap_or_else(|e| e)
}

/// Marks an `async fn` test: it runs on its own magpie runtime. The
/// expansion is that of [`macro@main`] with `#[test]` added, so other test
/// attributes (`#[should_panic]`, `#[ignore]`) go below it.
///
/// The default flavor of a test is `current_thread` (tokio's choice too):
/// the test's tasks run on the test's thread, so ported tokio tests keep
/// their ordering, and `!Send` state with `spawn_local` just works. Ask for
/// `flavor = "multi_thread"` (or give `worker_threads`) to test under
/// parallelism.
///
/// ```
/// #[magpie::test]
/// async fn local_state() {
///     let rc = std::rc::Rc::new(1); // not Send: fine on current_thread
///     let h = magpie::task::spawn_local(async move { *rc + 1 });
///     assert_eq!(h.await.unwrap(), 2);
/// }
///
/// #[magpie::test(worker_threads = 2)]
/// async fn spawns() {
///     assert_eq!(magpie::spawn(async { 2 }).await.unwrap(), 2);
/// }
///
/// #[magpie::test]
/// #[should_panic(expected = "boom")]
/// async fn panics() {
///     magpie::task::yield_now().await;
///     panic!("boom");
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args, item, true).unwrap_or_else(|e| e)
}

struct Args {
    worker_threads: Option<Literal>,
    /// `Some(true)`: current_thread; `Some(false)`: multi_thread.
    current_thread: Option<(bool, Span)>,
    start_paused: Option<(bool, Span)>,
    seeds: Option<Literal>,
    krate: String,
}

fn error(msg: &str, span: Span) -> TokenStream {
    let mut lit = Literal::string(msg);
    lit.set_span(span);
    let tokens: Vec<TokenTree> = vec![
        TokenTree::Ident(Ident::new("compile_error", span)),
        TokenTree::Punct(Punct::new('!', Spacing::Alone)),
        TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            TokenStream::from(TokenTree::Literal(lit)),
        )),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ];
    tokens.into_iter().collect()
}

fn parse_args(args: TokenStream) -> Result<Args, TokenStream> {
    let mut out = Args {
        worker_threads: None,
        current_thread: None,
        start_paused: None,
        seeds: None,
        krate: "::magpie".to_string(),
    };
    let tokens: Vec<TokenTree> = args.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        let key = match &tokens[i] {
            TokenTree::Ident(id) => id.clone(),
            other => {
                return Err(error(
                    "expected `flavor = \"..\"`, `worker_threads = N` or `crate = \"path\"`",
                    other.span(),
                ))
            }
        };
        match tokens.get(i + 1) {
            Some(TokenTree::Punct(p)) if p.as_char() == '=' => {}
            _ => return Err(error("expected `=` after the argument name", key.span())),
        }
        let value = match tokens.get(i + 2) {
            Some(TokenTree::Literal(lit)) => lit.clone(),
            // `true` / `false` are identifiers: carry them as a literal
            // of their text (only `start_paused` accepts them).
            Some(TokenTree::Ident(id)) if matches!(id.to_string().as_str(), "true" | "false") => {
                let mut lit = Literal::string(&id.to_string());
                lit.set_span(id.span());
                lit
            }
            _ => return Err(error("expected a literal value", key.span())),
        };
        match key.to_string().as_str() {
            "worker_threads" => {
                let text = value.to_string();
                let digits = text.trim_end_matches("usize").replace('_', "");
                match digits.parse::<usize>() {
                    Ok(n) if n > 0 => out.worker_threads = Some(value),
                    _ => {
                        return Err(error(
                            "`worker_threads` must be a positive integer",
                            value.span(),
                        ))
                    }
                }
            }
            "start_paused" => {
                let paused = match value.to_string().as_str() {
                    "\"true\"" => true,
                    "\"false\"" => false,
                    _ => return Err(error("`start_paused` is `true` or `false`", value.span())),
                };
                out.start_paused = Some((paused, value.span()));
            }
            "seeds" => {
                let text = value.to_string();
                let digits = text.trim_end_matches("u64").replace('_', "");
                match digits.parse::<u64>() {
                    Ok(n) if n > 0 => out.seeds = Some(value),
                    _ => {
                        return Err(error(
                            "`seeds` must be a positive integer (how many seeds to run)",
                            value.span(),
                        ))
                    }
                }
            }
            "crate" => {
                let text = value.to_string();
                let path = text.trim_matches('"');
                if path.is_empty() || !text.starts_with('"') {
                    return Err(error("`crate` must be a string with a path", value.span()));
                }
                out.krate = path.to_string();
            }
            "flavor" => {
                let current = match value.to_string().as_str() {
                    "\"multi_thread\"" => false,
                    "\"current_thread\"" => true,
                    _ => {
                        return Err(error(
                            "`flavor` is \"multi_thread\" or \"current_thread\"",
                            value.span(),
                        ))
                    }
                };
                out.current_thread = Some((current, value.span()));
            }
            other => {
                return Err(error(
                    &format!(
                        "unknown argument `{other}`: expected `flavor`, `worker_threads`, \
                         `start_paused`, `seeds` or `crate`"
                    ),
                    key.span(),
                ))
            }
        }
        i += 3;
        match tokens.get(i) {
            None => {}
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => i += 1,
            Some(other) => return Err(error("expected `,` between arguments", other.span())),
        }
    }
    if let (Some(n), Some((true, _))) = (&out.worker_threads, out.current_thread) {
        return Err(error(
            "`worker_threads` needs `flavor = \"multi_thread\"`: a current-thread runtime \
             runs its tasks on the thread in `block_on`",
            n.span(),
        ));
    }
    Ok(out)
}

fn expand(args: TokenStream, item: TokenStream, is_test: bool) -> Result<TokenStream, TokenStream> {
    let args = parse_args(args)?;
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let body = match tokens.pop() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g,
        Some(other) => return Err(error("expected an `async fn` with a body", other.span())),
        None => return Err(error("expected an `async fn`", Span::call_site())),
    };
    let async_pos = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(id) if id.to_string() == "async"));
    let fn_pos = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(id) if id.to_string() == "fn"));
    match (async_pos, fn_pos) {
        (Some(a), Some(f)) if a < f => {
            tokens.remove(a);
        }
        (_, Some(f)) => {
            return Err(error(
                "the function must be `async fn` to be used with #[magpie::main] / #[magpie::test]",
                tokens[f].span(),
            ))
        }
        _ => return Err(error("expected an `async fn`", body.span())),
    }
    let fn_pos = fn_pos.expect("checked") - 1;
    // No parameters allowed: `fn name ( )`.
    if let Some(TokenTree::Group(params)) = tokens.get(fn_pos + 2) {
        if params.delimiter() == Delimiter::Parenthesis && !params.stream().is_empty() {
            return Err(error(
                "the entry function cannot take arguments",
                params.span(),
            ));
        }
    }

    // The new body: `{ let body = async move <body>; <builder>.block_on(body) }`.
    // The user's block goes in as the very token tree they wrote, so every
    // span inside it (compile errors, `panic!` and `line!()` locations)
    // still points into their source. The tokens the macro adds are placed
    // at the body's closing brace, so that an error about them (a return
    // value of the wrong type, say) points at the end of the body, but
    // keep the macro's own hygiene: lints see them as macro output (no
    // `clippy::expect_used` on our `expect`).
    // main: multi_thread unless asked; test: current_thread unless asked
    // (or unless it gives a worker count).
    let current_thread = match args.current_thread {
        Some((current, _)) => current,
        None => is_test && args.worker_threads.is_none(),
    };
    let flavor = if current_thread {
        "new_current_thread"
    } else {
        "new_multi_thread"
    };
    let mut builder = format!("{}::runtime::Builder::{flavor}()", args.krate);
    if let Some(n) = &args.worker_threads {
        builder.push_str(&format!(".worker_threads({n})"));
    }
    if let Some((true, span)) = args.start_paused {
        if !current_thread {
            return Err(error(
                "`start_paused` needs the current-thread flavor: auto-advance cannot know \
                 that no worker of a multi-thread runtime is running a task",
                span,
            ));
        }
        builder.push_str(".start_paused(true)");
    }
    let end = Span::call_site().located_at(body.span_close());
    let new_body = if let Some(n) = &args.seeds {
        // `<krate>::runtime::explore(0..N, || async move <body>)`: the body
        // runs once per seed, on a deterministic runtime.
        if !is_test {
            return Err(error("`seeds` is for `#[magpie::test]`", n.span()));
        }
        if args.worker_threads.is_some() || matches!(args.current_thread, Some((false, _))) {
            return Err(error(
                "`seeds` runs the body on deterministic current-thread runtimes: \
                 drop `flavor`/`worker_threads`",
                n.span(),
            ));
        }
        let mut call_args = parse_at(&format!("0..{n}, || async move"), end)?;
        call_args.extend([TokenTree::Group(body)]);
        let mut call = parse_at(&format!("{}::runtime::explore", args.krate), end)?;
        let mut group = Group::new(Delimiter::Parenthesis, call_args);
        group.set_span(end);
        call.extend([TokenTree::Group(group)]);
        call
    } else {
        let mut new_body = parse_at("let body = async move", end)?;
        new_body.extend([TokenTree::Group(body)]);
        new_body.extend(parse_at(
            &format!(
                "; {builder}.build().expect(\"failed to build the magpie runtime\").block_on(body)"
            ),
            end,
        )?);
        new_body
    };
    let mut new_body = Group::new(Delimiter::Brace, new_body);
    new_body.set_span(end);
    let mut out = TokenStream::new();
    if is_test {
        out.extend(
            "#[::core::prelude::v1::test]"
                .parse::<TokenStream>()
                .expect("valid attribute"),
        );
    }
    out.extend(tokens);
    out.extend([TokenTree::Group(new_body)]);
    Ok(out)
}

/// Parses `code`, giving every token (and every group's delimiters) `span`.
fn parse_at(code: &str, span: Span) -> Result<TokenStream, TokenStream> {
    fn respan(stream: TokenStream, span: Span) -> TokenStream {
        stream
            .into_iter()
            .map(|mut tree| {
                if let TokenTree::Group(g) = &tree {
                    tree = TokenTree::Group(Group::new(g.delimiter(), respan(g.stream(), span)));
                }
                tree.set_span(span);
                tree
            })
            .collect()
    }
    let stream: TokenStream = code
        .parse()
        .map_err(|_| error("could not expand the function body", span))?;
    Ok(respan(stream, span))
}
