// The AWS SDK's Node 20 deprecation notice is noise in test output; the CLI turns it off the same way.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
