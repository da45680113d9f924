use super::Id;
use std::any::Any;
use std::fmt;
use std::io;

/// Why a task did not produce its output: it was cancelled (aborted, or
/// dropped by runtime shutdown) or it panicked.
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// let err = rt.block_on(async {
///     magpie::spawn(async { panic!("boom") }).await.unwrap_err()
/// });
/// assert!(err.is_panic());
/// assert_eq!(err.into_panic().downcast_ref::<&str>(), Some(&"boom"));
/// ```
pub struct JoinError {
    id: Id,
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic(SyncWrapper),
}

/// Makes the panic payload `Sync` by never handing out `&` access to it.
struct SyncWrapper(Box<dyn Any + Send + 'static>);

// SAFETY: a `&SyncWrapper` gives no access to the payload (the only access
// is by value, in `into_panic`/`try_into_panic`), so sharing references
// across threads cannot race on it.
unsafe impl Sync for SyncWrapper {}

impl JoinError {
    pub(crate) fn cancelled(id: Id) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(id: Id, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            id,
            repr: Repr::Panic(SyncWrapper(payload)),
        }
    }

    /// The task was cancelled (aborted or dropped by shutdown).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let err = rt.block_on(async {
    ///     let h = magpie::spawn(std::future::pending::<()>());
    ///     h.abort();
    ///     h.await.unwrap_err()
    /// });
    /// assert!(err.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The task panicked.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let err = rt.block_on(rt.spawn(async { panic!() })).unwrap_err();
    /// assert!(err.is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic payload. Panics if the error is not a panic.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let err = rt.block_on(rt.spawn(async { std::panic::panic_any(7u8) })).unwrap_err();
    /// assert_eq!(*err.into_panic().downcast::<u8>().unwrap(), 7);
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` called on a cancellation, not a panic")
    }

    /// The panic payload, or the error back if it is a cancellation.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let err = rt.block_on(rt.spawn(async { panic!("x") })).unwrap_err();
    /// assert!(err.try_into_panic().is_ok());
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(payload) => Ok(payload.0),
            repr => Err(JoinError { id: self.id, repr }),
        }
    }

    /// The id of the task that failed.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let h = rt.spawn(async { panic!() });
    /// let id = h.id();
    /// assert_eq!(rt.block_on(h).unwrap_err().id(), id);
    /// ```
    pub fn id(&self) -> Id {
        self.id
    }
}

pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        Some(s)
    } else {
        payload.downcast_ref::<String>().map(String::as_str)
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "task {} was cancelled", self.id),
            Repr::Panic(p) => match panic_message(&*p.0) {
                Some(msg) => write!(f, "task {} panicked with message {:?}", self.id, msg),
                None => write!(f, "task {} panicked", self.id),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "JoinError::Cancelled({:?})", self.id),
            Repr::Panic(p) => match panic_message(&*p.0) {
                Some(msg) => write!(f, "JoinError::Panic({:?}, {:?}, ...)", self.id, msg),
                None => write!(f, "JoinError::Panic({:?}, ...)", self.id),
            },
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for io::Error {
    fn from(err: JoinError) -> io::Error {
        io::Error::other(err.to_string())
    }
}
