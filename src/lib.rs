//! netplay: a TCP/UDP playground that shows every socket step and every byte.

pub mod decode;
