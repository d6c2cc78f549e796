//! Test support for Quiver: the scripted Bolt stub server.
