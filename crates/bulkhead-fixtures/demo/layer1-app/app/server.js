console.log("hello from the demo app");
