//! OS facts and OS package databases.

pub mod apk;
pub mod dpkg;
pub mod release;
pub mod rpm;
