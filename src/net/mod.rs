//! TCP, UDP and Unix-domain sockets driven by the runtime's I/O driver.
