echo dckr_pat_RWhkN_ObRHbKBjwkXBfysx7rKZM | docker login -u acme --password-stdin
