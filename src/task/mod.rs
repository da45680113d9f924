pub(crate) mod coop;
