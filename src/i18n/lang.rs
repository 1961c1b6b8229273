//! Which language a person reads: `--lang` when given, else the locale the
//! environment names, POSIX's way (LC_ALL, then LC_MESSAGES, then LANG: the
//! first one set and not empty decides; C and POSIX are English), and where
//! none is set, the system's own setting (Windows: the user's UI language).
//! English is the default and the fallback for any language not translated.

use std::ffi::OsString;

/// The languages netplay's catalogues are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// The BCP 47 tag of the catalogue (`locales/<tag>/netplay.ftl`).
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language of a locale name such as `fr_FR.UTF-8`, `fr`,
    /// `en_GB`, `C` or `POSIX` (or a BCP 47 tag, `fr-CA`): French for any
    /// French locale, English for everything else.
    pub(crate) fn of_locale(name: &str) -> Lang {
        // language[_territory][.codeset][@modifier]
        let language = name.split(['_', '-', '.', '@']).next().unwrap_or("");
        if language.eq_ignore_ascii_case("fr") { Lang::Fr } else { Lang::En }
    }
}

/// The language the environment asks for, read through `var` (the process
/// environment in `netplay`, a table in tests).
pub(crate) fn from_env_with(var: impl Fn(&str) -> Option<OsString>) -> Lang {
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Some(value) = var(name).filter(|v| !v.is_empty()) {
            return Lang::of_locale(&value.to_string_lossy());
        }
    }
    system()
}

/// The language of this process's environment.
pub(crate) fn from_env() -> Lang {
    from_env_with(|name| std::env::var_os(name))
}

/// No locale variable is set. On Unix that is the C locale, English; on
/// Windows and macOS, where a terminal often sets none, the language the
/// user chose for the system (GetUserDefaultLocaleName, CFLocale).
fn system() -> Lang {
    if cfg!(any(windows, target_os = "macos")) {
        sys_locale::get_locale().map(|name| Lang::of_locale(&name)).unwrap_or_default()
    } else {
        Lang::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Lang {
        from_env_with(|name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v)))
    }

    #[test]
    fn posix_order_and_the_c_locale() {
        assert_eq!(env(&[("LANG", "fr_FR.UTF-8")]), Lang::Fr);
        assert_eq!(env(&[("LANG", "fr_FR.UTF-8"), ("LC_MESSAGES", "C")]), Lang::En);
        assert_eq!(env(&[("LANG", "C"), ("LC_MESSAGES", "fr_CA")]), Lang::Fr);
        assert_eq!(env(&[("LC_ALL", "POSIX"), ("LC_MESSAGES", "fr_FR"), ("LANG", "fr_FR")]), Lang::En);
        assert_eq!(env(&[("LC_ALL", "fr_BE.UTF-8@euro"), ("LANG", "C")]), Lang::Fr);
        // An empty variable is as good as unset.
        assert_eq!(env(&[("LC_ALL", ""), ("LANG", "fr")]), Lang::Fr);
        assert_eq!(env(&[("LANG", "C.UTF-8")]), Lang::En);
        assert_eq!(env(&[("LANG", "de_DE.UTF-8")]), Lang::En);
        assert_eq!(env(&[("LANG", "fr-CA")]), Lang::Fr);
        assert_eq!(Lang::of_locale("french"), Lang::En, "only locale names, not language names");
    }
}
