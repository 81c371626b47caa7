//! `/v2/tax_forms`: the seller's US tax forms and their PDFs.

use creator_core::http::Path;
use creator_core::{Error, Result};
use http::header::{ACCEPT, HeaderValue};

use crate::client::envelope;
use crate::{GumroadClient, TaxForm, TaxFormPdf, TaxFormType};

envelope!(TaxFormsEnvelope {
    tax_forms: [TaxForm]
});

/// Tax forms. Get it with [`GumroadClient::tax_forms`].
///
/// Needs the `view_tax_data` scope and an account with the tax center
/// (US sellers); otherwise Gumroad answers HTTP 403 "Tax center is not
/// enabled for this account.", reported as [`Error::Forbidden`].
#[derive(Debug, Clone, Copy)]
pub struct TaxFormsApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl TaxFormsApi<'_> {
    /// `GET /v2/tax_forms`: the forms of `year`, or of every available year.
    ///
    /// # Errors
    /// [`Error::NotFound`] (HTTP 404) for a year outside the account's range;
    /// [`Error::Forbidden`] without the tax center; or any request error.
    pub async fn list(&self, year: Option<i32>) -> Result<Vec<TaxForm>> {
        let query: Vec<(&'static str, String)> =
            year.map(|y| ("year", y.to_string())).into_iter().collect();
        self.client
            .all_pages::<TaxFormsEnvelope>(Path::fixed("/v2/tax_forms"), &query)
            .await
    }

    /// `GET /v2/tax_forms/:year/:tax_form_type/download`: the form as a PDF.
    /// The body is returned as bytes, exactly as received; it is never
    /// parsed as JSON (only error answers are JSON).
    ///
    /// ```no_run
    /// use gumroad_api::TaxFormType;
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let pdf = client.tax_forms().download(2025, &TaxFormType::Us1099K).await?;
    /// std::fs::write(pdf.filename.as_deref().unwrap_or("1099-K.pdf"), &pdf.bytes).ok();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] (HTTP 404 "Tax form not found.") when there is
    /// no such form; [`Error::Forbidden`] without the tax center;
    /// [`Error::Decode`] for a 2xx answer that is JSON instead of a file; or
    /// any request error.
    pub async fn download(&self, year: i32, form_type: &TaxFormType) -> Result<TaxFormPdf> {
        let year = year.to_string();
        let path = Path::new("/v2/tax_forms/{}/{}/download", &[&year, form_type.as_str()]);
        let response = self
            .client
            .transport()
            .get(path)
            .header(
                ACCEPT,
                HeaderValue::from_static("application/pdf, application/json"),
            )
            .send()
            .await?;
        let content_type = response.header("content-type").map(str::to_owned);
        if content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().contains("json"))
        {
            return Err(Error::decode(
                self.client.provider(),
                ".",
                "the tax form download answered with JSON instead of a file",
                response.body.clone(),
            ));
        }
        let filename = response
            .header("content-disposition")
            .and_then(attachment_filename);
        Ok(TaxFormPdf {
            filename,
            content_type,
            bytes: Vec::from(response.body),
        })
    }
}

/// The `filename` of a `Content-Disposition` header
/// (`attachment; filename="1099-K-2025.pdf"; filename*=UTF-8''1099-K-2025.pdf`).
fn attachment_filename(header: &str) -> Option<String> {
    header.split(';').find_map(|part| {
        let (key, value) = part.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("filename")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|name| !name.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::attachment_filename;

    #[test]
    fn filename_from_content_disposition() {
        assert_eq!(
            attachment_filename(
                r#"attachment; filename="1099-K-2025.pdf"; filename*=UTF-8''1099-K-2025.pdf"#
            )
            .as_deref(),
            Some("1099-K-2025.pdf")
        );
        assert_eq!(
            attachment_filename("attachment; filename=x.pdf").as_deref(),
            Some("x.pdf")
        );
        assert_eq!(attachment_filename("attachment"), None);
        assert_eq!(attachment_filename(r#"attachment; filename="""#), None);
    }
}
