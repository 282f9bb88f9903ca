// Package examples holds example response files (responses/) and runnable examples of embedding the
// painscreen service in an application's own HTTP server (httpservice/) and of using the library alone
// (embed/). Its tests load every example file with the public decoder and score it
// with the bundled content, so the examples cannot drift from what the engine does. See README.md.
package examples
