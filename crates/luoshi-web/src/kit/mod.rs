//! The page kit every feature builds on: route rows and the request guard (`route`), errors and
//! their one rendering decision (`error`, `extract`), sessions and passwords (`auth`), what a user
//! may see (`scope`), the clock (`clock`), page chrome and pagers (`page`), formatting (`format`),
//! SVG charts (`charts`), attachments checked by content (`attach`), unit names as users type
//! them, resolved through the registry and suggested (`names`), reads kept while the database is
//! unchanged (`memo`), and the OpenAPI document (`openapi`). Nothing here knows a feature:
//! features import the kit, never the other way.

pub mod attach;
pub mod auth;
pub mod charts;
pub mod clock;
pub mod error;
pub mod extract;
pub mod format;
pub mod memo;
pub mod names;
pub mod openapi;
pub mod page;
pub mod route;
pub mod scope;
