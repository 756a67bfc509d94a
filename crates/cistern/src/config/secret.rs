//! Values that must never be printed.

const MASK: &str = "********";

/// A secret string (API key, password): `Debug` and `Serialize` print a mask, so the effective
/// config can be printed and logged safely. One type for the whole tree: the gateway crate owns
/// it because its `[llm]` section (deployments' keys) is part of this tree.
pub use cistern_llm::Secret;

/// Replaces the password of a URL (`postgres://user:pw@host/db`) with a mask, for printing.
pub fn mask_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:{MASK}@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), MASK);
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{MASK}\""));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(
            mask_url_password("postgres://app:s3cret@db:5432/cistern?sslmode=require"),
            format!("postgres://app:{MASK}@db:5432/cistern?sslmode=require")
        );
        assert_eq!(
            mask_url_password("postgres://app@db/x"),
            "postgres://app@db/x"
        );
        assert_eq!(
            mask_url_password("sqlite:///tmp/a.db"),
            "sqlite:///tmp/a.db"
        );
        assert_eq!(
            mask_url_password("postgres://u:p@ss@h/d"),
            format!("postgres://u:{MASK}@h/d")
        );
    }
}
