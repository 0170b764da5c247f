//! Conversation folders: the folder object of `GET /v1/dev/user/folders` (OMI's cloud's
//! `DeveloperFolder`), and the request a folder is made from (`omi-server admin folder
//! create`; the cloud's Developer API makes none).
//!
//! A conversation is in at most one folder (`folder_id` on the conversation, set by
//! `PATCH /v1/dev/user/conversations/{id}`); a folder's `conversation_count` counts its
//! conversations that are not discarded, as the cloud counts them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::scalars::{FolderName, optional_texts};
use crate::timestamp;
use crate::validation::{Loc, Problems, ValidationErrors};

/// A folder of conversations, as `GET /v1/dev/user/folders` lists it.
///
/// ```
/// use omi_model::Folder;
///
/// let folder: Folder = serde_json::from_str(
///     r##"{"id": "f1", "name": "Work", "color": "#EF4444", "icon": "💼",
///         "created_at": "2024-01-15T10:30:00Z", "updated_at": "2024-01-15T10:30:00Z",
///         "order": 1, "conversation_count": 3}"##,
/// )
/// .expect("a folder");
/// assert_eq!(folder.conversation_count, 3);
/// assert!(!folder.is_system);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Folder {
    /// Its id.
    pub id: String,
    /// Its name, 1 to 100 characters.
    pub name: String,
    /// What belongs in it, at most 500 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// Its colour, as the user's app shows it (`#6B7280` unless given).
    pub color: String,
    /// Its icon (`📁` unless given).
    pub icon: String,
    /// When it was made.
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(with = "timestamp::required")]
    pub updated_at: DateTime<Utc>,
    /// Where it comes in the user's list of folders (the list is in this order).
    #[serde(default)]
    pub order: i64,
    /// Whether conversations go here when their folder is deleted.
    #[serde(default)]
    pub is_default: bool,
    /// Whether it is one of the folders OMI's app makes for every user.
    #[serde(default)]
    pub is_system: bool,
    /// How many of the user's conversations are in it, discarded ones not counted.
    #[serde(default)]
    pub conversation_count: u64,
}

/// A folder to make: a name, and optionally a description, colour and icon.
///
/// ```
/// use omi_model::CreateFolderRequest;
///
/// let new = CreateFolderRequest::new("Work").validate().unwrap();
/// assert_eq!(new.color, "#6B7280");
/// assert_eq!(new.icon, "📁");
/// assert!(CreateFolderRequest::new(" ").validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateFolderRequest {
    /// Its name: 1 to 100 characters, not blank.
    pub name: String,
    /// What belongs in it, at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its colour, at most 32 characters; `#6B7280` when absent or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Its icon, at most 32 characters; `📁` when absent or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

/// A validated [`CreateFolderRequest`], its defaults filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFolder {
    /// Its name.
    pub name: FolderName,
    /// What belongs in it (`None` when absent or empty).
    pub description: Option<String>,
    /// Its colour.
    pub color: String,
    /// Its icon.
    pub icon: String,
}

impl CreateFolderRequest {
    /// The most characters of a description.
    pub const MAX_DESCRIPTION_CHARS: usize = 500;
    /// The most characters of a colour or an icon.
    pub const MAX_STYLE_CHARS: usize = 32;
    /// A folder's colour when none is given (OMI's).
    pub const DEFAULT_COLOR: &'static str = "#6B7280";
    /// A folder's icon when none is given (OMI's).
    pub const DEFAULT_ICON: &'static str = "📁";

    /// A request with only a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Validate: every problem at once, defaults filled, texts trimmed.
    pub fn validate(&self) -> Result<NewFolder, ValidationErrors> {
        let body = Loc::body();
        let mut problems = Problems::new();
        let name = problems.take(FolderName::parse_at(&body.join("name"), &self.name));
        let description = [("description", self.description.as_deref())];
        optional_texts(
            &mut problems,
            &body,
            &description,
            Self::MAX_DESCRIPTION_CHARS,
        );
        let style = [
            ("color", self.color.as_deref()),
            ("icon", self.icon.as_deref()),
        ];
        optional_texts(&mut problems, &body, &style, Self::MAX_STYLE_CHARS);
        problems.finish(|| {
            Some(NewFolder {
                name: name?,
                description: non_empty(self.description.as_deref()),
                color: non_empty(self.color.as_deref())
                    .unwrap_or_else(|| Self::DEFAULT_COLOR.to_owned()),
                icon: non_empty(self.icon.as_deref())
                    .unwrap_or_else(|| Self::DEFAULT_ICON.to_owned()),
            })
        })
    }
}

/// `text` trimmed, `None` when absent or empty.
fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_at_once() {
        let request = CreateFolderRequest {
            name: "x".repeat(101),
            description: Some("d".repeat(501)),
            color: Some("c".repeat(33)),
            icon: Some("i".repeat(33)),
        };
        let err = request.validate().unwrap_err();
        let locs: Vec<String> = err.items().iter().map(|e| e.loc.to_string()).collect();
        assert_eq!(
            locs,
            ["body.name", "body.description", "body.color", "body.icon"]
        );
    }

    #[test]
    fn texts_are_trimmed_and_empty_ones_take_the_defaults() {
        let new = CreateFolderRequest {
            name: "  仕事 💼 ".into(),
            description: Some("  ".into()),
            color: Some(String::new()),
            icon: Some(" 💼 ".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(new.name.as_str(), "仕事 💼");
        assert_eq!(new.description, None);
        assert_eq!(new.color, CreateFolderRequest::DEFAULT_COLOR);
        assert_eq!(new.icon, "💼");
    }

    #[test]
    fn a_name_of_a_hundred_characters_of_any_script_is_taken() {
        let name = "日".repeat(100);
        assert!(CreateFolderRequest::new(name).validate().is_ok());
    }
}
