//! Where `creator auth` keeps credentials: the OS keyring when one answers
//! (Secret Service on Linux and the BSDs, the Keychain on macOS, the
//! Credential Manager on Windows; build feature `os-keyring`, on by
//! default), else `credentials.json` in the config directory. Both files
//! of the config directory are written atomically (a temporary file in the
//! same directory, synced, renamed over the old one) with mode 0600, in a
//! directory of mode 0700.
//!
//! `config.json` holds what is not secret: per profile and provider, where
//! the secrets are, who they belong to, the scopes, the OAuth client id, the
//! default Maton connection. The directory is `$CREATOR_CONFIG_DIR`, else
//! the platform's config directory (`~/.config/creator`,
//! `~/Library/Application Support/creator`, `%APPDATA%\creator`).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use creator_core::Secret;
use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};

use crate::CliError;

/// The keyring service name every entry is filed under.
pub const SERVICE: &str = "creator-commerce";

/// Where secrets go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// The OS keyring.
    Keyring,
    /// `credentials.json` (mode 0600) in the config directory.
    File,
}

impl Backend {
    /// `keyring` / `file`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Keyring => "keyring",
            Backend::File => "file",
        }
    }
}

/// What `config.json` knows of one provider's login.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    /// Where its secrets are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_in: Option<Backend>,
    /// The names of the secrets stored (`access_token`, `refresh_token`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    /// Who the credentials belong to (name, email), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The granted OAuth scopes (Gumroad).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<String>,
    /// How it was obtained (`device`, `web`, `token`, `minted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The OAuth client id used to log in (Gumroad).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The default connection (Maton).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// When it was saved (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_at: Option<String>,
    /// Why the keyring was not used, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring_unavailable: Option<String>,
}

/// `config.json`: profile → provider → [`Login`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    /// The profiles.
    #[serde(default)]
    pub profiles: BTreeMap<String, BTreeMap<String, Login>>,
}

/// `credentials.json`: profile → `provider/name` → secret.
#[derive(Default, Serialize, Deserialize)]
struct SecretsFile {
    #[serde(default)]
    profiles: BTreeMap<String, BTreeMap<String, String>>,
}

/// The config directory, its two files, and the keyring (when one answers).
pub struct Vault {
    dir: PathBuf,
    keyring: Result<Arc<CredentialStore>, String>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .field("keyring", &self.keyring.as_ref().map(|_| "available"))
            .finish()
    }
}

/// Which keyring `creator` uses: `CREATOR_CREDENTIAL_STORE=file` never
/// tries one (for machines whose keyring prompts or hangs).
fn os_keyring() -> Result<Arc<CredentialStore>, String> {
    if std::env::var("CREATOR_CREDENTIAL_STORE").is_ok_and(|v| v.eq_ignore_ascii_case("file")) {
        return Err("CREATOR_CREDENTIAL_STORE=file".into());
    }
    platform_keyring()
}

#[cfg(all(
    feature = "os-keyring",
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn platform_keyring() -> Result<Arc<CredentialStore>, String> {
    dbus_secret_service_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| crate::error::one_line(&e))
}

#[cfg(all(feature = "os-keyring", target_os = "macos"))]
fn platform_keyring() -> Result<Arc<CredentialStore>, String> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| crate::error::one_line(&e))
}

#[cfg(all(feature = "os-keyring", windows))]
fn platform_keyring() -> Result<Arc<CredentialStore>, String> {
    windows_native_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| crate::error::one_line(&e))
}

#[cfg(not(all(
    feature = "os-keyring",
    any(
        windows,
        target_os = "macos",
        all(
            unix,
            not(any(target_os = "macos", target_os = "ios", target_os = "android"))
        )
    )
)))]
fn platform_keyring() -> Result<Arc<CredentialStore>, String> {
    Err("this build has no OS keyring (feature `os-keyring`)".into())
}

/// The config directory: `$CREATOR_CONFIG_DIR`, else `<platform config dir>/creator`.
///
/// # Errors
/// [`CliError::Usage`] when the platform has no config directory and the
/// variable is not set.
pub fn config_dir() -> Result<PathBuf, CliError> {
    if let Some(dir) = std::env::var_os("CREATOR_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("creator"))
        .ok_or_else(|| {
            CliError::Usage(
                "no config directory is known for this system: set CREATOR_CONFIG_DIR".into(),
            )
        })
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> CliError {
    CliError::Usage(format!("could not {what} {}: {e}", path.display()))
}

impl Vault {
    /// The vault of the config directory, with the OS keyring if one answers.
    ///
    /// # Errors
    /// As [`config_dir`].
    pub fn open() -> Result<Self, CliError> {
        Ok(Self {
            dir: config_dir()?,
            keyring: os_keyring(),
        })
    }

    /// A vault in `dir` with the given keyring (tests).
    pub fn with(dir: PathBuf, keyring: Result<Arc<CredentialStore>, String>) -> Self {
        Self { dir, keyring }
    }

    /// The config directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `config.json`.
    pub fn config_path(&self) -> PathBuf {
        self.dir.join("config.json")
    }

    /// `credentials.json`.
    pub fn secrets_path(&self) -> PathBuf {
        self.dir.join("credentials.json")
    }

    /// Why the keyring cannot be used, or `None` when it can.
    pub fn keyring_problem(&self) -> Option<&str> {
        self.keyring.as_ref().err().map(String::as_str)
    }

    /// Reads `config.json` (empty when absent).
    ///
    /// # Errors
    /// [`CliError::Usage`] for a file that cannot be read or parsed.
    pub fn config(&self) -> Result<Config, CliError> {
        read_json(&self.config_path())
    }

    fn write_config(&self, config: &Config) -> Result<(), CliError> {
        write_private(&self.config_path(), config)
    }

    /// The login of `provider` in `profile`, when there is one.
    ///
    /// # Errors
    /// As [`Vault::config`].
    pub fn login(&self, profile: &str, provider: &str) -> Result<Option<Login>, CliError> {
        Ok(self
            .config()?
            .profiles
            .get(profile)
            .and_then(|p| p.get(provider))
            .cloned())
    }

    /// Saves `secrets` and `login` for `provider` in `profile`: in the
    /// keyring when `prefer` allows and it works, else in the file (the
    /// reason recorded in the login). Replaces what was stored before.
    ///
    /// # Errors
    /// [`CliError::Usage`] when neither the keyring (if asked for alone)
    /// nor the file can be written.
    pub fn save(
        &self,
        profile: &str,
        provider: &str,
        secrets: &[(&str, &Secret)],
        mut login: Login,
        prefer: Option<Backend>,
    ) -> Result<Login, CliError> {
        self.forget(profile, provider)?;
        let mut backend = Backend::File;
        let mut problem = None;
        if prefer != Some(Backend::File) {
            match self.keyring_put(profile, provider, secrets) {
                Ok(()) => backend = Backend::Keyring,
                Err(why) if prefer == Some(Backend::Keyring) => {
                    return Err(CliError::Usage(format!(
                        "the OS keyring cannot store the credentials: {why} (leave out --store keyring to use the file)"
                    )));
                }
                Err(why) => problem = Some(why),
            }
        }
        if backend == Backend::File {
            let mut file: SecretsFile = read_json(&self.secrets_path())?;
            let entries = file.profiles.entry(profile.to_owned()).or_default();
            for (name, secret) in secrets {
                entries.insert(format!("{provider}/{name}"), secret.expose().to_owned());
            }
            write_private(&self.secrets_path(), &file)?;
        }
        login.stored_in = Some(backend);
        login.secrets = secrets.iter().map(|(n, _)| (*n).to_owned()).collect();
        login.keyring_unavailable = problem;
        let mut config = self.config()?;
        config
            .profiles
            .entry(profile.to_owned())
            .or_default()
            .insert(provider.to_owned(), login.clone());
        self.write_config(&config)?;
        Ok(login)
    }

    /// Updates the non-secret part of a login (a default connection).
    ///
    /// # Errors
    /// As [`Vault::config`], or a failed write.
    pub fn update(
        &self,
        profile: &str,
        provider: &str,
        change: impl FnOnce(&mut Login),
    ) -> Result<(), CliError> {
        let mut config = self.config()?;
        let login = config
            .profiles
            .entry(profile.to_owned())
            .or_default()
            .entry(provider.to_owned())
            .or_default();
        change(login);
        self.write_config(&config)
    }

    /// One stored secret of `provider` in `profile`.
    ///
    /// # Errors
    /// [`CliError::Usage`] when the login says the keyring holds it and the
    /// keyring cannot be read.
    pub fn secret(
        &self,
        profile: &str,
        provider: &str,
        name: &str,
    ) -> Result<Option<Secret>, CliError> {
        let Some(login) = self.login(profile, provider)? else {
            return Ok(None);
        };
        if !login.secrets.iter().any(|s| s == name) {
            return Ok(None);
        }
        match login.stored_in {
            Some(Backend::Keyring) => {
                let store = self.keyring.as_ref().map_err(|why| {
                    CliError::Usage(format!(
                        "the {provider} credentials of profile `{profile}` are in the OS keyring, which cannot be reached now ({why}): unlock it, or run `creator auth login --provider {provider}` again"
                    ))
                })?;
                let entry = Entry::new_in_store(store, SERVICE, &account(profile, provider, name))
                    .map_err(|e| keyring_error(provider, &e))?;
                match entry.get_password() {
                    Ok(v) => Ok(Some(Secret::new(v))),
                    Err(keyring_core::Error::NoEntry) => Ok(None),
                    Err(e) => Err(keyring_error(provider, &e)),
                }
            }
            _ => {
                let file: SecretsFile = read_json(&self.secrets_path())?;
                Ok(file
                    .profiles
                    .get(profile)
                    .and_then(|p| p.get(&format!("{provider}/{name}")))
                    .map(Secret::new))
            }
        }
    }

    /// Removes what is stored for `provider` in `profile` (keyring entries,
    /// file entries, the login). True when there was something.
    ///
    /// # Errors
    /// A file that cannot be rewritten.
    pub fn forget(&self, profile: &str, provider: &str) -> Result<bool, CliError> {
        let mut config = self.config()?;
        let login = config
            .profiles
            .get_mut(profile)
            .and_then(|p| p.remove(provider));
        let Some(login) = login else {
            return Ok(false);
        };
        if login.stored_in == Some(Backend::Keyring)
            && let Ok(store) = &self.keyring
        {
            for name in &login.secrets {
                if let Ok(entry) =
                    Entry::new_in_store(store, SERVICE, &account(profile, provider, name))
                {
                    let _ = entry.delete_credential();
                }
            }
        }
        let path = self.secrets_path();
        if path.exists() {
            let mut file: SecretsFile = read_json(&path)?;
            if let Some(p) = file.profiles.get_mut(profile) {
                p.retain(|k, _| !k.starts_with(&format!("{provider}/")));
                if p.is_empty() {
                    file.profiles.remove(profile);
                }
            }
            write_private(&path, &file)?;
        }
        if config.profiles.get(profile).is_some_and(BTreeMap::is_empty) {
            config.profiles.remove(profile);
        }
        self.write_config(&config)?;
        Ok(true)
    }

    fn keyring_put(
        &self,
        profile: &str,
        provider: &str,
        secrets: &[(&str, &Secret)],
    ) -> Result<(), String> {
        let store = self.keyring.as_ref().map_err(Clone::clone)?;
        for (name, secret) in secrets {
            let entry = Entry::new_in_store(store, SERVICE, &account(profile, provider, name))
                .map_err(|e| crate::error::one_line(&e))?;
            entry
                .set_password(secret.expose())
                .map_err(|e| crate::error::one_line(&e))?;
        }
        Ok(())
    }
}

/// The keyring account of one secret: `profile/provider/name`.
fn account(profile: &str, provider: &str, name: &str) -> String {
    format!("{profile}/{provider}/{name}")
}

fn keyring_error(provider: &str, e: &keyring_core::Error) -> CliError {
    CliError::Usage(format!(
        "could not read the {provider} credentials from the OS keyring: {}",
        crate::error::one_line(e)
    ))
}

/// Reads a JSON file (the default value when it does not exist). A file
/// that others can read is refused: it may hold a secret.
pub(crate) fn read_json<T: Default + serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<T, CliError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(T::default()),
        Err(e) => return Err(io_error("read", path, &e)),
    };
    check_private(path)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        CliError::Usage(format!(
            "{} is not valid ({e}): fix or delete it",
            path.display()
        ))
    })
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| io_error("read", path, &e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(CliError::Usage(format!(
            "{} can be read by other users (mode {:04o}): run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), CliError> {
    Ok(())
}

/// Writes `value` as JSON to `path` atomically with mode 0600: a new file
/// next to it (created 0600, so the secret is never readable by others,
/// not even briefly), synced, then renamed over `path`; the directory is
/// created 0700 and synced after the rename.
///
/// # Errors
/// [`CliError::Usage`] naming the path.
pub fn write_private<T: Serialize>(path: &Path, value: &T) -> Result<(), CliError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| CliError::Usage(format!("could not encode {}: {e}", path.display())))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = private_create(&tmp)?;
        file.write_all(&bytes)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok::<(), std::io::Error>(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_error("write", path, &e));
    }
    Ok(())
}

#[cfg(unix)]
fn private_create(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = fs::remove_file(path);
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_create(path: &Path) -> std::io::Result<fs::File> {
    let _ = fs::remove_file(path);
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io_error("create", dir, &e))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<(), CliError> {
    fs::create_dir_all(dir).map_err(|e| io_error("create", dir, &e))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "creator-vault-{}-{label}-{}",
            std::process::id(),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos()
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_working_keyring_holds_the_secret_and_the_file_none() {
        let dir = temp("keyring");
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let vault = Vault::with(dir.clone(), Ok(store));
        let token = Secret::new("gumroad-token-in-keyring");
        let login = vault
            .save(
                "default",
                "gumroad",
                &[("access_token", &token)],
                Login::default(),
                None,
            )
            .unwrap();
        assert_eq!(login.stored_in, Some(Backend::Keyring));
        assert_eq!(
            vault
                .secret("default", "gumroad", "access_token")
                .unwrap()
                .unwrap()
                .expose(),
            "gumroad-token-in-keyring"
        );
        assert!(!vault.secrets_path().exists());
        let config = fs::read_to_string(vault.config_path()).unwrap();
        assert!(!config.contains("gumroad-token-in-keyring"), "{config}");
        assert!(vault.forget("default", "gumroad").unwrap());
        assert!(
            vault
                .secret("default", "gumroad", "access_token")
                .unwrap()
                .is_none()
        );
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn without_a_keyring_the_secret_goes_to_a_0600_file_and_says_why() {
        let dir = temp("file");
        let vault = Vault::with(dir.join("nested"), Err("no D-Bus session".into()));
        let login = vault
            .save(
                "shop2",
                "maton",
                &[("api_key", &Secret::new("maton-key-0123456789"))],
                Login::default(),
                None,
            )
            .unwrap();
        assert_eq!(login.stored_in, Some(Backend::File));
        assert_eq!(
            login.keyring_unavailable.as_deref(),
            Some("no D-Bus session")
        );
        assert_eq!(
            vault
                .secret("shop2", "maton", "api_key")
                .unwrap()
                .unwrap()
                .expose(),
            "maton-key-0123456789"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for path in [vault.secrets_path(), vault.config_path()] {
                let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", path.display());
            }
            let mode = fs::metadata(vault.dir()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700);
            // No temporary file is left behind.
            let names: Vec<_> = fs::read_dir(vault.dir())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names.len(), 2, "{names:?}");
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_credentials_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp("perm");
        let vault = Vault::with(dir.clone(), Err("none".into()));
        vault
            .save(
                "default",
                "gank",
                &[("login_token", &Secret::new("gank-login-0123456789"))],
                Login::default(),
                None,
            )
            .unwrap();
        fs::set_permissions(vault.secrets_path(), fs::Permissions::from_mode(0o644)).unwrap();
        let err = vault
            .secret("default", "gank", "login_token")
            .unwrap_err()
            .to_string();
        assert!(err.contains("chmod 600"), "{err}");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn asking_for_the_keyring_alone_fails_clearly_when_it_is_missing() {
        let dir = temp("only");
        let vault = Vault::with(dir.clone(), Err("no D-Bus session".into()));
        let err = vault
            .save(
                "default",
                "gumroad",
                &[("access_token", &Secret::new("tok-0123456789"))],
                Login::default(),
                Some(Backend::Keyring),
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("no D-Bus session"), "{err}");
        assert!(!vault.secrets_path().exists());
        let _ = fs::remove_dir_all(dir);
    }
}
