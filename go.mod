module github.com/painscreen/painscreen

go 1.26

require (
	cel.dev/cel-go v0.33.2 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
