use crate::runtime::task::{JoinHandle, Meta};
use crate::runtime::Handle;
use std::future::Future;
use std::io;

/// Spawns a task with options — today, a name that shows up in
/// [task dumps](crate::runtime::Handle::dump), slow-poll reports and traces.
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let h = magpie::task::Builder::new()
///         .name("fetch-users")
///         .spawn(async { 1 })
///         .unwrap();
///     assert_eq!(h.await.unwrap(), 1);
/// });
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder<'a> {
    name: Option<&'a str>,
}

impl<'a> Builder<'a> {
    /// A builder with no options set.
    ///
    /// ```
    /// let b = magpie::task::Builder::new();
    /// # drop(b);
    /// ```
    pub fn new() -> Builder<'a> {
        Builder { name: None }
    }

    /// Names the task.
    ///
    /// ```
    /// let b = magpie::task::Builder::new().name("worker");
    /// # drop(b);
    /// ```
    pub fn name(self, name: &'a str) -> Builder<'a> {
        Builder { name: Some(name) }
    }

    #[track_caller]
    fn meta(&self) -> Meta {
        let mut meta = Meta::here();
        meta.name = self.name.map(Box::from);
        meta
    }

    /// Spawns the task on the current runtime. Panics outside a runtime;
    /// the `Result` is for API compatibility with tokio and is always `Ok`
    /// today.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let h = magpie::task::Builder::new().name("x").spawn(async {}).unwrap();
    ///     h.await.unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let meta = self.meta();
        Ok(crate::runtime::context::with_current(|h| {
            h.spawn_with(future, meta)
        }))
    }

    /// Spawns a `!Send` task with [`spawn_local`](super::spawn_local)'s
    /// rules (same places allowed, same panic elsewhere).
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let rc = std::rc::Rc::new(4);
    ///     let h = magpie::task::Builder::new()
    ///         .name("local")
    ///         .spawn_local(async move { *rc })
    ///         .unwrap();
    ///     assert_eq!(h.await.unwrap(), 4);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Ok(super::spawn_local_with(future, self.meta()))
    }

    /// Spawns the task on the runtime of `handle`.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let h = magpie::task::Builder::new().name("y").spawn_on(async { 2 }, rt.handle()).unwrap();
    /// assert_eq!(rt.block_on(h).unwrap(), 2);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Ok(handle.spawn_with(future, self.meta()))
    }

    /// Runs a blocking function on the current runtime's blocking pool.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let h = magpie::task::Builder::new().name("io").spawn_blocking(|| 3).unwrap();
    ///     assert_eq!(h.await.unwrap(), 3);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(self, f: F) -> io::Result<JoinHandle<R>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let meta = self.meta();
        Ok(crate::runtime::context::with_current(|h| {
            h.spawn_blocking_with(f, meta)
        }))
    }
}
