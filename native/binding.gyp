# The optional native matMul (see openblas_matmul.cc), built by native/build.js at `npm ci`.
{
  "targets": [
    {
      "target_name": "losslab_openblas",
      "sources": ["openblas_matmul.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "/usr/include/openblas"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off"],
      "libraries": ["-lopenblas"],
      "conditions": [
        [
          "OS=='mac'",
          {
            "include_dirs": ["/opt/homebrew/opt/openblas/include", "/usr/local/opt/openblas/include"],
            "xcode_settings": {
              "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-ffp-contract=off"],
              "OTHER_LDFLAGS": ["-L/opt/homebrew/opt/openblas/lib", "-L/usr/local/opt/openblas/lib"]
            }
          }
        ]
      ]
    }
  ]
}
